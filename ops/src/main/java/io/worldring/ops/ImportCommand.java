package io.worldring.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.model.io.Checkpoint;
import io.worldring.model.io.HfImporter;
import io.worldring.model.io.ImportedModel;
import io.worldring.model.io.Llama2cImporter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Import pretrained weights into a worldring checkpoint (which is also a Hugging Face model directory).",
        "  --format llama2c FILE   a llama2.c checkpoint (.bin)",
        "  --format hf DIR         a Hugging Face LLaMA directory: config.json + model.safetensors (or sharded)"})
final class ImportCommand implements Callable<Integer> {
  enum Format { llama2c, hf }

  @Option(names = "--format", required = true, description = "llama2c or hf")
  Format format;

  @Parameters(index = "0", paramLabel = "SOURCE", description = "The file (llama2c) or directory (hf) to import")
  Path source;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Checkpoint directory to write")
  Path out;

  @Override
  public Integer call() {
    ImportedModel m = format == Format.llama2c ? Llama2cImporter.read(source) : HfImporter.read(source);
    var state = new ObjectMapper().createObjectNode().put("imported_from", m.source()).put("format", format.name());
    Checkpoint.save(out, m.config(), m.weights(), null, 0, state);
    var c = m.config();
    System.out.printf(Locale.ROOT, "imported %s: dim %d, layers %d, heads %d/%d kv, hidden %d, vocab %d, %,d parameters -> %s%n",
        source, c.dim(), c.nLayers(), c.nHeads(), c.nKvHeads(), c.hiddenDim(), c.vocabSize(), c.parameterCount(), out);
    return 0;
  }
}

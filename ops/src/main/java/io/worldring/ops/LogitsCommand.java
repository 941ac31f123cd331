package io.worldring.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.LlamaModel;
import io.worldring.model.io.Checkpoint;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "logits", mixinStandardHelpOptions = true,
    description = "Print the logits at the last position of a token sequence (one per line, or JSON).")
final class LogitsCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "Checkpoint or run directory (its latest checkpoint)")
  Path checkpoint;

  @Option(names = "--tokens", required = true, description = "Token ids, e.g. \"1 100 200 300\"")
  String tokens;

  @Option(names = "--json", description = "Print {\"tokens\": [...], \"logits\": [...], \"argmax\": id}")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Checkpoint.Loaded ck = Checkpoint.load(Checkpoint.resolve(checkpoint), DataType.FLOAT);
    int[] ids = TokenList.parse(tokens, ck.config().vocabSize(), "--tokens");
    LlamaModel model = new LlamaModel(ck.config(), ck.weights());
    INDArray last = model.logits(ids).get(NDArrayIndex.point(ids.length - 1), NDArrayIndex.all());
    float[] values = last.toFloatVector();
    if (json) {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode n = mapper.createObjectNode();
      ArrayNode t = n.putArray("tokens");
      for (int id : ids) {
        t.add(id);
      }
      ArrayNode l = n.putArray("logits");
      int argmax = 0;
      for (int i = 0; i < values.length; i++) {
        l.add(values[i]);
        if (values[i] > values[argmax]) {
          argmax = i;
        }
      }
      n.put("argmax", argmax);
      System.out.println(mapper.writeValueAsString(n));
    } else {
      StringBuilder b = new StringBuilder();
      for (float v : values) {
        b.append(String.format(Locale.ROOT, "%.6f%n", v));
      }
      System.out.print(b);
    }
    return 0;
  }
}

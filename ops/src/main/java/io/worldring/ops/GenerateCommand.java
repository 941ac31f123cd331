package io.worldring.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.datasets.ByteTokenizer;
import io.worldring.model.BadInputException;
import io.worldring.model.LlamaModel;
import io.worldring.model.generate.Generator;
import io.worldring.model.generate.SamplingOptions;
import io.worldring.model.io.Checkpoint;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
    description = {"Generate tokens with a KV cache: greedy (--temperature 0), or temperature and top-p sampling.",
        "--prompt TEXT uses the byte-level tokenizer; --tokens takes ids for any vocabulary."})
final class GenerateCommand implements Callable<Integer> {
  static final class Input {
    @Option(names = "--tokens", description = "Prompt token ids, e.g. \"1 100 200 300\"") String tokens;

    @Option(names = "--prompt", description = "Prompt text (byte-level tokenizer)") String prompt;
  }

  @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "Checkpoint or run directory (its latest checkpoint)")
  Path checkpoint;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  @Option(names = "--max-new-tokens", defaultValue = "64", description = "Tokens to generate (default: ${DEFAULT-VALUE})")
  int maxNewTokens;

  @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default: ${DEFAULT-VALUE})")
  double temperature;

  @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling mass (default: ${DEFAULT-VALUE})")
  double topP;

  @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--stop", paramLabel = "ID", description = "Stop after generating this token id (repeatable)")
  int[] stop = new int[0];

  @Option(names = "--json", description = "Print {\"prompt\": [...], \"generated\": [...], \"text\": ...}")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (maxNewTokens < 1) {
      throw new BadInputException("--max-new-tokens must be positive");
    }
    if (temperature < 0 || !(topP > 0 && topP <= 1)) {
      throw new BadInputException("--temperature must be >= 0 and --top-p in (0, 1]");
    }
    Checkpoint.Loaded ck = Checkpoint.load(Checkpoint.resolve(checkpoint), DataType.FLOAT);
    ByteTokenizer bytes = new ByteTokenizer();
    int[] prompt = input.tokens != null ? TokenList.parse(input.tokens, ck.config().vocabSize(), "--tokens") : bytes.encode(input.prompt);
    if (prompt.length == 0) {
      throw new BadInputException("--prompt is empty");
    }
    LlamaModel model = new LlamaModel(ck.config(), ck.weights());
    int[] stops = stop;
    int[] out = new Generator(model, prompt.length + maxNewTokens).generate(prompt, maxNewTokens,
        new SamplingOptions(temperature, topP, seed), t -> Arrays.stream(stops).anyMatch(s -> s == t));
    boolean textual = input.prompt != null;
    if (json) {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode n = mapper.createObjectNode();
      Arrays.stream(prompt).forEach(n.putArray("prompt")::add);
      Arrays.stream(out).forEach(n.putArray("generated")::add);
      if (textual) {
        n.put("text", bytes.decode(out));
      }
      System.out.println(mapper.writeValueAsString(n));
    } else if (textual) {
      System.out.println(input.prompt + bytes.decode(out));
    } else {
      System.out.println(Arrays.stream(out).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
    }
    return 0;
  }
}

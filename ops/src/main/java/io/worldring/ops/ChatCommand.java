package io.worldring.ops;

import io.worldring.datasets.ChatTemplate;
import io.worldring.datasets.Tokenizer;
import io.worldring.datasets.Tokenizers;
import io.worldring.model.BadInputException;
import io.worldring.model.LlamaModel;
import io.worldring.model.generate.Generator;
import io.worldring.model.generate.Sampler;
import io.worldring.model.generate.SamplingOptions;
import io.worldring.model.io.Checkpoint;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "chat", mixinStandardHelpOptions = true,
    description = {"Talk to a checkpoint in LWM's chat template; answers are streamed as they are generated.",
        "Commands: /reset forgets the conversation, /context FILE puts a document before the next question, /quit (or end of input)."})
final class ChatCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "Checkpoint or run directory") Path checkpoint;

  @Option(names = "--tokenizer", defaultValue = "bytes", description = "bytes or a tokenizer.json (default: ${DEFAULT-VALUE})") String tokenizer;

  @Option(names = "--max-new-tokens", defaultValue = "256", description = "Longest answer (default: ${DEFAULT-VALUE})") int maxNewTokens;

  @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default: ${DEFAULT-VALUE})") double temperature;

  @Option(names = "--top-p", defaultValue = "0.9", description = "Nucleus mass when sampling (default: ${DEFAULT-VALUE})") double topP;

  @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE})") long seed;

  @Override
  public Integer call() throws IOException {
    if (maxNewTokens < 1) {
      throw new BadInputException("--max-new-tokens must be positive");
    }
    Path dir = Checkpoint.resolve(checkpoint);
    Checkpoint.Loaded ck = Checkpoint.load(dir, DataType.FLOAT);
    Tokenizer tok = Tokenizers.load(tokenizer);
    if (tok.vocabSize() > ck.config().vocabSize()) {
      throw new BadInputException("the tokenizer's vocabulary (" + tok.vocabSize() + ") is larger than the model's (" + ck.config().vocabSize() + ")");
    }
    LlamaModel model = new LlamaModel(ck.config(), ck.weights());
    session(model, tok, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.out,
        new SamplingOptions(temperature, topP, seed), maxNewTokens);
    return 0;
  }

  /** The conversation loop: what the user types on {@code in}, answers streamed to {@code out}. */
  static void session(LlamaModel model, Tokenizer tok, BufferedReader in, PrintStream out, SamplingOptions sampling, int maxNewTokens)
      throws IOException {
    List<String> turns = new ArrayList<>();
    String document = null;
    out.println("worldring chat (" + model.config().parameterCount() + " parameters, trained context " + model.config().maxSeqLen()
        + "); /reset, /context FILE, /quit");
    while (true) {
      out.print("USER: ");
      out.flush();
      String line = in.readLine();
      if (line == null || line.strip().equals("/quit")) {
        out.println();
        return;
      }
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      if (line.equals("/reset")) {
        turns.clear();
        document = null;
        out.println("(conversation cleared)");
        continue;
      }
      if (line.startsWith("/context")) {
        Path file = Path.of(line.substring("/context".length()).strip());
        if (!Files.isRegularFile(file)) {
          out.println("(no such file: " + file + ")");
          continue;
        }
        document = Files.readString(file, StandardCharsets.UTF_8);
        turns.clear();
        out.println("(" + file + ": " + tok.encode(document).length + " tokens before the next question)");
        continue;
      }
      StringBuilder prompt = new StringBuilder(ChatTemplate.SYSTEM);
      for (int t = 0; t < turns.size(); t += 2) {
        prompt.append(" USER: ").append(t == 0 && document != null ? document + "\n\n" : "").append(turns.get(t))
            .append(" ASSISTANT: ").append(turns.get(t + 1));
      }
      prompt.append(" USER: ").append(turns.isEmpty() && document != null ? document + "\n\n" : "").append(line).append(" ASSISTANT:");
      int[] ids = tok.encode(prompt.toString());
      int[] withBos = new int[ids.length + 1];
      withBos[0] = tok.bos();
      System.arraycopy(ids, 0, withBos, 1, ids.length);
      out.print("ASSISTANT:");
      String answer = stream(model, tok, withBos, sampling, maxNewTokens, out);
      out.println();
      turns.add(line);
      turns.add(answer.strip());
    }
  }

  /** Generates after {@code prompt}, printing the text as it grows; returns it. */
  static String stream(LlamaModel model, Tokenizer tok, int[] prompt, SamplingOptions sampling, int maxNewTokens, PrintStream out) {
    Generator g = new Generator(model, prompt.length + maxNewTokens);
    Sampler sampler = new Sampler(sampling);
    INDArray logits = g.feed(prompt);
    List<Integer> generated = new ArrayList<>();
    String shown = "";
    for (int i = 0; i < maxNewTokens; i++) {
      int next = sampler.next(logits);
      if (next == tok.eos()) {
        break;
      }
      generated.add(next);
      String text = tok.decode(generated.stream().mapToInt(Integer::intValue).toArray());
      // Print only what is complete: a multi-byte character may still be missing its last bytes.
      if (!text.endsWith("\uFFFD") && text.startsWith(shown)) {
        out.print(text.substring(shown.length()));
        out.flush();
        shown = text;
      }
      logits = g.feed(new int[] {next});
    }
    String text = tok.decode(generated.stream().mapToInt(Integer::intValue).toArray());
    if (text.startsWith(shown) && text.length() > shown.length()) {
      out.print(text.substring(shown.length()));
    }
    return text;
  }
}

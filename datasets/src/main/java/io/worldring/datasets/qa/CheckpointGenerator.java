package io.worldring.datasets.qa;

import io.worldring.datasets.ChatTemplate;
import io.worldring.datasets.Tokenizer;
import io.worldring.model.BadInputException;
import io.worldring.model.LlamaModel;
import io.worldring.model.generate.Generator;
import io.worldring.model.generate.SamplingOptions;
import io.worldring.model.io.Checkpoint;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * This project's own model as the short-context QA writer, in process: the chunk in the chat template,
 * the model asked for {@code Q: ... A: ...}; greedy first, then sampled retries; a reply without both
 * parts fails the chunk after the last attempt. One chunk at a time (a model is not shared between threads).
 */
public final class CheckpointGenerator implements QaGenerator {
  private static final Pattern REPLY = Pattern.compile("(?s)^\\s*(.+?)\\s*A\\s*:\\s*(.+?)\\s*$");

  private final Path dir;
  private final LlamaModel model;
  private final Tokenizer tokenizer;
  private final int maxNewTokens;
  private final int attempts;

  public CheckpointGenerator(Path dir, Tokenizer tokenizer, int maxNewTokens, int attempts) {
    Checkpoint.Loaded ck = Checkpoint.load(Checkpoint.resolve(dir), DataType.FLOAT);
    if (ck.config().vocabSize() < tokenizer.vocabSize()) {
      throw new BadInputException(dir + ": the model's vocabulary (" + ck.config().vocabSize() + ") is smaller than the tokenizer's ("
          + tokenizer.vocabSize() + ")");
    }
    this.dir = dir;
    this.model = new LlamaModel(ck.config(), ck.weights());
    this.tokenizer = tokenizer;
    this.maxNewTokens = maxNewTokens;
    this.attempts = Math.max(1, attempts);
  }

  @Override
  public String name() {
    return "checkpoint:" + dir;
  }

  @Override
  public int concurrency() {
    return 1;
  }

  @Override
  public QaPair generate(Chunk chunk) {
    String prompt = ChatTemplate.SYSTEM + " USER: " + chunk.text()
        + "\n\nWrite one question about this passage and its short answer, as Q: ... A: ... ASSISTANT: Q:";
    int[] ids = tokenizer.encode(prompt);
    int[] withBos = new int[ids.length + 1];
    withBos[0] = tokenizer.bos();
    System.arraycopy(ids, 0, withBos, 1, ids.length);
    String last = "";
    for (int attempt = 0; attempt < attempts; attempt++) {
      SamplingOptions sampling = attempt == 0 ? SamplingOptions.greedy() : new SamplingOptions(0.8, 0.95, chunk.index() * 31L + attempt);
      int[] out = new Generator(model, withBos.length + maxNewTokens).generate(withBos, maxNewTokens, sampling, t -> t == tokenizer.eos());
      String reply = tokenizer.decode(Arrays.stream(out).filter(t -> t != tokenizer.eos()).toArray());
      Matcher m = REPLY.matcher(reply);
      if (m.find() && !m.group(1).isBlank() && !m.group(2).isBlank()) {
        return new QaPair(m.group(1).strip(), m.group(2).strip());
      }
      last = reply;
    }
    throw new GeneratorFailedException(name() + ": " + chunk.book() + " chunk " + chunk.index() + ": no \"... A: ...\" in the model's reply after "
        + attempts + " attempt(s); last: " + last.replaceAll("\\s+", " ").strip());
  }
}

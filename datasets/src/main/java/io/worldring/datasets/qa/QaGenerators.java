package io.worldring.datasets.qa;

import io.worldring.datasets.Tokenizer;
import io.worldring.model.BadInputException;
import java.nio.file.Path;
import java.time.Duration;

/** Generators by name: {@code extractive}, {@code openai:URL}, {@code checkpoint:DIR}. */
public final class QaGenerators {
  /** Settings the network and model generators take. */
  public record Options(String model, Duration timeout, int attempts, int concurrency, int maxNewTokens) {}

  private QaGenerators() {}

  public static QaGenerator create(String spec, Tokenizer tokenizer, Options options) {
    if (spec.equals("extractive")) {
      return new ExtractiveGenerator();
    }
    if (spec.startsWith("openai:")) {
      return new OpenAiGenerator(new OpenAiGenerator.Settings(spec.substring("openai:".length()), options.model(), options.timeout(),
          options.attempts(), options.concurrency()));
    }
    if (spec.startsWith("checkpoint:")) {
      return new CheckpointGenerator(Path.of(spec.substring("checkpoint:".length())), tokenizer, options.maxNewTokens(), options.attempts());
    }
    throw new BadInputException("unknown generator '" + spec + "' (known: extractive, openai:URL, checkpoint:DIR)");
  }
}

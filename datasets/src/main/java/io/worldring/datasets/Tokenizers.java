package io.worldring.datasets;

import java.nio.file.Path;

/** Tokenizers by name: {@code bytes} (the built-in byte-level one) or a path to a tokenizer.json. */
public final class Tokenizers {
  private Tokenizers() {}

  public static Tokenizer load(String spec) {
    if (spec == null || spec.isEmpty() || spec.equals("bytes")) {
      return new ByteTokenizer();
    }
    return HfTokenizer.load(Path.of(spec));
  }
}

package io.worldring.datasets.vision;

/**
 * The ids of the vision embedding table and output head: the tokenizer's codes {@code 0..codebookSize-1},
 * then {@code <eof>} (end of a frame that is not the last) and {@code <eov>} (end of the last frame).
 * LWM: 8192 codes, {@code <eof>} 8192, {@code <eov>} 8193, a table of 8194.
 */
public record VisionVocabulary(int codebookSize) {
  public VisionVocabulary {
    if (codebookSize < 1) {
      throw new IllegalArgumentException("codebook size must be positive, got " + codebookSize);
    }
  }

  public static VisionVocabulary of(VisionTokenizer tokenizer) {
    return new VisionVocabulary(tokenizer.codebookSize());
  }

  public int eof() {
    return codebookSize;
  }

  public int eov() {
    return codebookSize + 1;
  }

  /** Rows of the vision embedding table and outputs of the vision head. */
  public int size() {
    return codebookSize + 2;
  }
}

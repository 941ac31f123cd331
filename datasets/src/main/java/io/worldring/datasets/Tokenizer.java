package io.worldring.datasets;

/**
 * Text to token ids and back, with the special tokens training needs. {@link #encode} adds no special
 * tokens; callers place BOS/EOS where the format wants them.
 */
public interface Tokenizer {
  /**
   * Token ids with the character span each covers in {@code text} ([start, end) in UTF-16 units), so a
   * caller can tell which tokens belong to which part of a formatted text.
   *
   * @param ids [tokens]
   * @param start [tokens]
   * @param end [tokens]
   */
  record Encoded(int[] ids, int[] start, int[] end) {}

  int[] encode(String text);

  Encoded encodeWithSpans(String text);

  String decode(int[] ids);

  int vocabSize();

  /** Beginning of sequence. */
  int bos();

  /** End of sequence; separates documents in pretraining sequences and ends each assistant turn. */
  int eos();

  /** Padding (never has a loss). */
  int pad();

  /** What this tokenizer is, for logs and run configs ("bytes", or the tokenizer.json path). */
  String name();
}

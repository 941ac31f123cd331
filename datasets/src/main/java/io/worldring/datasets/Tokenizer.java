package io.worldring.datasets;

/** Text to token ids and back, with the special tokens training needs. */
public interface Tokenizer {
  int[] encode(String text);

  String decode(int[] ids);

  int vocabSize();

  /** Beginning of sequence. */
  int bos();

  /** End of sequence; separates documents in pretraining sequences. */
  int eos();

  /** Padding (never has a loss). */
  int pad();
}

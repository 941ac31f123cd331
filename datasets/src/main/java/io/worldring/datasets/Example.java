package io.worldring.datasets;

/**
 * One training example before packing: token ids and, per token, whether predicting it carries a loss
 * (answers in chat data; everything in plain text).
 *
 * @param id stable identity (source, file, line or record id), for ledgers and reports
 * @param tokens [tokens]
 * @param loss [tokens]; {@code loss[i]} means token i is a target with a loss
 */
public record Example(String id, int[] tokens, boolean[] loss) {
  public Example {
    if (tokens.length != loss.length) {
      throw new IllegalArgumentException("tokens and loss mask differ in length");
    }
  }

  /** Targets with a loss (the first token is never a target). */
  public int lossTokens() {
    int n = 0;
    for (int i = 1; i < loss.length; i++) {
      if (loss[i]) {
        n++;
      }
    }
    return n;
  }

  public int length() {
    return tokens.length;
  }

  /** The last {@code n} tokens (answers sit at the end of chat and QA examples). */
  public Example keepLast(int n) {
    if (n >= tokens.length) {
      return this;
    }
    int from = tokens.length - n;
    return new Example(id, java.util.Arrays.copyOfRange(tokens, from, tokens.length), java.util.Arrays.copyOfRange(loss, from, loss.length));
  }
}

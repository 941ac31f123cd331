package io.worldring.datasets.vision;

import io.worldring.datasets.Example;

/**
 * One vision-language training example before packing. {@code tokens[i]} is a text id where
 * {@code !vision[i]} and a vision id ({@link VisionVocabulary}) where {@code vision[i]}; the mask picks the
 * embedding table for token i as an input and the output head that predicts it as a target.
 *
 * @param id stable identity (source and index), for ledgers and reports
 * @param tokens [tokens]
 * @param vision [tokens]; true where tokens[i] indexes the vision table
 * @param loss [tokens]; {@code loss[i]} means token i is a target with a loss
 */
public record VisionExample(String id, int[] tokens, boolean[] vision, boolean[] loss) {
  public VisionExample {
    if (tokens.length != vision.length || tokens.length != loss.length) {
      throw new IllegalArgumentException("tokens, vision mask and loss mask differ in length");
    }
  }

  /** A text example in this form: every position on the text table. */
  public static VisionExample ofText(Example text) {
    return new VisionExample(text.id(), text.tokens(), new boolean[text.length()], text.loss());
  }

  public int length() {
    return tokens.length;
  }

  /** The loss of predicting token i; the first token is never a target. */
  public LossKind lossKind(int i) {
    if (i == 0 || !loss[i]) {
      return LossKind.NONE;
    }
    return vision[i] ? LossKind.VISION : LossKind.TEXT;
  }

  /** @return [tokens], {@link #lossKind} of every position */
  public LossKind[] lossKinds() {
    LossKind[] kinds = new LossKind[tokens.length];
    for (int i = 0; i < kinds.length; i++) {
      kinds[i] = lossKind(i);
    }
    return kinds;
  }

  public int lossTokens(LossKind kind) {
    int n = 0;
    for (int i = 0; i < tokens.length; i++) {
      if (lossKind(i) == kind) {
        n++;
      }
    }
    return n;
  }

  /** Positions on the vision table. */
  public int visionTokens() {
    int n = 0;
    for (boolean v : vision) {
      if (v) {
        n++;
      }
    }
    return n;
  }

  public boolean isPureText() {
    return visionTokens() == 0;
  }
}

package io.worldring.model.train;

import io.worldring.model.attention.TokenBlock;
import java.util.Arrays;

/**
 * One training sequence: what the model reads, what it should predict, and how much each prediction
 * counts.
 *
 * @param tokens input ids, [tokens]
 * @param targets next-token ids, [tokens]
 * @param weights loss weight per token (0: no loss), [tokens]
 * @param positions RoPE / causal positions, [tokens]; restart at 0 for each packed example
 * @param segments packed-example id per token, [tokens], or null for one example
 */
public record TrainingSequence(int[] tokens, int[] targets, float[] weights, int[] positions, int[] segments) {
  public TrainingSequence {
    int n = tokens.length;
    if (targets.length != n || weights.length != n || positions.length != n || (segments != null && segments.length != n)) {
      throw new IllegalArgumentException("tokens, targets, weights, positions and segments must have the same length");
    }
  }

  /** Next-token prediction over a window of {@code length + 1} ids, every token weighted 1. */
  public static TrainingSequence causal(int[] window) {
    int n = window.length - 1;
    float[] w = new float[n];
    Arrays.fill(w, 1f);
    int[] pos = new int[n];
    for (int i = 0; i < n; i++) {
      pos[i] = i;
    }
    return new TrainingSequence(Arrays.copyOf(window, n), Arrays.copyOfRange(window, 1, n + 1), w, pos, null);
  }

  public int length() {
    return tokens.length;
  }

  public double totalWeight() {
    double s = 0;
    for (float w : weights) {
      s += w;
    }
    return s;
  }

  public TrainingSequence withWeights(float[] newWeights) {
    return new TrainingSequence(tokens, targets, newWeights, positions, segments);
  }

  public TokenBlock tokenBlock() {
    return new TokenBlock(positions, segments);
  }
}

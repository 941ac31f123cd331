package io.worldring.model.train;

import io.worldring.model.attention.TokenBlock;
import java.util.Arrays;

/**
 * One training sequence: what the model reads, what it should predict, and how much each prediction
 * counts.
 *
 * <p><b>Vision positions</b> (LWM stage II). A model with vision tables ({@code visionVocabSize > 0})
 * reads a token through the vision embedding when {@code visionInputs[i]} is set (its id is then a vision
 * code in {@code [0, visionVocabSize)}) and through the text embedding otherwise; it predicts target
 * {@code i} with the vision head when {@code visionTargets[i]} is set (the target is a vision code) and with
 * the text head otherwise. For next-token prediction target {@code i} is token {@code i + 1}, so
 * {@code visionTargets[i] == visionInputs[i + 1]} inside a window ({@link #causal(int[], boolean[])} builds
 * both from one mask). A null mask means all text: text-only code never sets them.
 *
 * <p><b>Loss weights.</b> The model computes {@code sum_i weights[i] * loss_i}, with {@code loss_i} the
 * cross-entropy of target {@code i} under the head its kind selects; it normalises nothing. Every
 * averaging is the data side's, folded into the weights: masked packing's per-example weights, the mean
 * over the batch ({@link BatchWeights#normalise}), and LWM's 0.5/0.5 average of the vision loss and the
 * text loss, for which each kind's weights are divided by that kind's total weight in the batch and
 * multiplied by its share ({@link BatchWeights#visionTextAverage}). Because the sum is linear, a ring's
 * shards add up to the same loss and gradients as one device.
 *
 * @param tokens input ids, [tokens]; text ids, or vision codes where {@code visionInputs} is set
 * @param targets next-token ids, [tokens]; text ids, or vision codes where {@code visionTargets} is set
 * @param weights loss weight per token (0: no loss), [tokens]
 * @param positions RoPE / causal positions, [tokens]; restart at 0 for each packed example
 * @param segments packed-example id per token, [tokens], or null for one example
 * @param visionInputs per token, whether it reads the vision embedding, [tokens]; null: all text
 * @param visionTargets per target, whether the vision head predicts it, [tokens]; null: all text. At
 *     inference (logits only) it says which head's logits a position is asked for.
 */
public record TrainingSequence(int[] tokens, int[] targets, float[] weights, int[] positions, int[] segments,
    boolean[] visionInputs, boolean[] visionTargets) {
  public TrainingSequence {
    int n = tokens.length;
    if (targets.length != n || weights.length != n || positions.length != n || (segments != null && segments.length != n)) {
      throw new IllegalArgumentException("tokens, targets, weights, positions and segments must have the same length");
    }
    if ((visionInputs != null && visionInputs.length != n) || (visionTargets != null && visionTargets.length != n)) {
      throw new IllegalArgumentException("the vision masks must have one entry per token (" + n + ")");
    }
  }

  /** A text-only sequence. */
  public TrainingSequence(int[] tokens, int[] targets, float[] weights, int[] positions, int[] segments) {
    this(tokens, targets, weights, positions, segments, null, null);
  }

  /** Next-token prediction over a window of {@code length + 1} ids, every token weighted 1. */
  public static TrainingSequence causal(int[] window) {
    return causal(window, null);
  }

  /**
   * Next-token prediction over a window of {@code length + 1} ids, every token weighted 1, with
   * {@code visionWindow[j]} telling whether id {@code j} is a vision code (null: all text): the inputs'
   * mask is its first {@code length} entries, the targets' its last {@code length}.
   */
  public static TrainingSequence causal(int[] window, boolean[] visionWindow) {
    int n = window.length - 1;
    if (visionWindow != null && visionWindow.length != window.length) {
      throw new IllegalArgumentException("the vision mask must have one entry per id of the window (" + window.length + ")");
    }
    float[] w = new float[n];
    Arrays.fill(w, 1f);
    int[] pos = new int[n];
    for (int i = 0; i < n; i++) {
      pos[i] = i;
    }
    return new TrainingSequence(Arrays.copyOf(window, n), Arrays.copyOfRange(window, 1, n + 1), w, pos, null,
        visionWindow == null ? null : Arrays.copyOf(visionWindow, n),
        visionWindow == null ? null : Arrays.copyOfRange(visionWindow, 1, n + 1));
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

  /** Whether token {@code i} reads the vision embedding. */
  public boolean visionInput(int i) {
    return visionInputs != null && visionInputs[i];
  }

  /** Whether target {@code i} is predicted by the vision head. */
  public boolean visionTarget(int i) {
    return visionTargets != null && visionTargets[i];
  }

  /** Whether any token or target is a vision code. */
  public boolean hasVision() {
    return any(visionInputs) || any(visionTargets);
  }

  /** The total loss weight of the vision targets ({@code vision} true) or of the text targets. */
  public double totalWeight(boolean vision) {
    double s = 0;
    for (int i = 0; i < weights.length; i++) {
      if (visionTarget(i) == vision) {
        s += weights[i];
      }
    }
    return s;
  }

  public TrainingSequence withWeights(float[] newWeights) {
    return new TrainingSequence(tokens, targets, newWeights, positions, segments, visionInputs, visionTargets);
  }

  /** The same sequence with these vision masks (null: all text). */
  public TrainingSequence withVision(boolean[] newVisionInputs, boolean[] newVisionTargets) {
    return new TrainingSequence(tokens, targets, weights, positions, segments, newVisionInputs, newVisionTargets);
  }

  public TokenBlock tokenBlock() {
    return new TokenBlock(positions, segments);
  }

  static boolean any(boolean[] mask) {
    if (mask != null) {
      for (boolean b : mask) {
        if (b) {
          return true;
        }
      }
    }
    return false;
  }
}

package io.worldring.model.train;

import io.worldring.model.BadInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * Loss weights divided by the batch's total, so the weighted loss sums of the batch's sequences (or of
 * their shards on the devices of a ring) add up to the batch's mean loss, and their gradients to its
 * gradient. One device and a ring normalise the same way, so they compute the same numbers.
 */
public final class BatchWeights {
  private BatchWeights() {}

  public static List<TrainingSequence> normalise(List<TrainingSequence> batch) {
    double total = 0;
    for (TrainingSequence s : batch) {
      total += s.totalWeight();
    }
    if (!(total > 0)) {
      throw new BadInputException("a training batch has no token with a loss weight");
    }
    List<TrainingSequence> out = new ArrayList<>(batch.size());
    for (TrainingSequence s : batch) {
      float[] w = s.weights().clone();
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) (w[i] / total);
      }
      out.add(s.withWeights(w));
    }
    return out;
  }

  /**
   * LWM's vision/text loss average over a batch: {@code visionShare * (vision loss) + (1 - visionShare) *
   * (text loss)}, each loss the weighted mean over the batch's targets of that kind (LWM: 0.5/0.5). Each
   * weight of a vision target becomes {@code w * visionShare / V} and each of a text target
   * {@code w * (1 - visionShare) / T}, with V and T the batch's total vision and text weights, so the
   * incoming weights (masked packing's per-example weights, prompt masks) still weigh targets within a
   * kind. The weights then sum to 1 and {@link #normalise}, which trainers apply to every batch, leaves
   * them as they are (up to float rounding).
   *
   * <p>A kind with no weight in the batch (a pure-text batch, say) gives its share to the other, so such a
   * batch is weighted exactly as {@link #normalise} would (LWM instead halves a lone kind's loss, which only
   * rescales that step's gradient and which any later total-weight normalisation undoes anyway).
   *
   * @param visionShare the vision loss's share, in [0, 1]
   */
  public static List<TrainingSequence> visionTextAverage(List<TrainingSequence> batch, double visionShare) {
    if (!(visionShare >= 0 && visionShare <= 1)) {
      throw new BadInputException("the vision loss share must be in [0, 1], got " + visionShare);
    }
    double vision = 0;
    double text = 0;
    for (TrainingSequence s : batch) {
      vision += s.totalWeight(true);
      text += s.totalWeight(false);
    }
    if (!(vision > 0) && !(text > 0)) {
      throw new BadInputException("a training batch has no token with a loss weight");
    }
    // Each kind's share of the loss; a kind without weight hands its share to the other.
    double visionPart = !(text > 0) ? 1 : !(vision > 0) ? 0 : visionShare;
    double textPart = 1 - visionPart;
    List<TrainingSequence> out = new ArrayList<>(batch.size());
    for (TrainingSequence s : batch) {
      float[] w = s.weights().clone();
      for (int i = 0; i < w.length; i++) {
        // (w * 1) / total for a lone kind: exactly what normalise computes. A kind without weight keeps 0.
        boolean v = s.visionTarget(i);
        double total = v ? vision : text;
        w[i] = total > 0 ? (float) (w[i] * (v ? visionPart : textPart) / total) : 0f;
      }
      out.add(s.withWeights(w));
    }
    return out;
  }
}

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
}

package io.worldring.model.generate;

import io.worldring.model.SplitMix64;
import java.util.Arrays;
import java.util.Comparator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Greedy, temperature and top-p (nucleus) sampling over one row of logits. */
public final class Sampler {
  private final SamplingOptions options;
  private final SplitMix64 rng;

  public Sampler(SamplingOptions options) {
    this.options = options;
    this.rng = new SplitMix64(options.seed());
  }

  /** @param logits [vocab] */
  public int next(INDArray logits) {
    double[] z = logits.castTo(DataType.DOUBLE).data().asDouble();
    if (options.temperature() == 0) {
      return argmax(z);
    }
    double max = Arrays.stream(z).max().orElseThrow();
    double[] p = new double[z.length];
    double sum = 0;
    for (int i = 0; i < z.length; i++) {
      p[i] = Math.exp((z[i] - max) / options.temperature());
      sum += p[i];
    }
    Integer[] order = new Integer[z.length];
    for (int i = 0; i < z.length; i++) {
      order[i] = i;
      p[i] /= sum;
    }
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -p[i]));
    double kept = 0;
    int count = 0;
    while (count < order.length && (count == 0 || kept < options.topP())) {
      kept += p[order[count++]];
    }
    double u = rng.nextDouble() * kept;
    double acc = 0;
    for (int i = 0; i < count; i++) {
      acc += p[order[i]];
      if (u < acc) {
        return order[i];
      }
    }
    return order[count - 1];
  }

  static int argmax(double[] z) {
    int best = 0;
    for (int i = 1; i < z.length; i++) {
      if (z[i] > z[best]) {
        best = i;
      }
    }
    return best;
  }
}

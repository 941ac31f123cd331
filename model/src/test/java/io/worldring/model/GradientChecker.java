package io.worldring.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Central finite differences in double precision against analytic gradients. The relative error of an
 * entry is |a - n| / max(|a|, |n|, 1e-5): the floor keeps entries that are zero up to rounding from
 * dominating, and is far below the gradients' typical size (1e-3 .. 1).
 */
public final class GradientChecker {
  public static final double MAX_RELATIVE_ERROR = 1e-4;
  private static final double STEP = 1e-5;
  private static final double FLOOR = 1e-5;

  /** A tensor the loss reads (input or weight) and its analytic gradient. */
  public record Target(String name, INDArray value, INDArray gradient) {}

  private final List<Target> targets = new ArrayList<>();

  public GradientChecker add(String name, INDArray value, INDArray gradient) {
    if (value.dataType() != DataType.DOUBLE) {
      throw new IllegalArgumentException("gradient checks run in double precision");
    }
    targets.add(new Target(name, value, gradient));
    return this;
  }

  /**
   * Perturbs up to {@code samples} entries of each target (all of them when smaller) and asserts the
   * largest relative error. Returns that error.
   */
  public double check(String what, DoubleSupplier loss, int samples, long seed) {
    SplitMix64 rng = new SplitMix64(seed);
    double worst = 0;
    String where = "";
    for (Target t : targets) {
      INDArray flat = t.value().reshape(t.value().length()); // [n], a view of the tensor
      INDArray grad = t.gradient().reshape(t.gradient().length());
      int n = (int) flat.length();
      int count = Math.min(samples, n);
      for (int s = 0; s < count; s++) {
        int i = count == n ? s : rng.nextInt(n);
        double original = flat.getDouble(i);
        flat.putScalar(i, original + STEP);
        double plus = loss.getAsDouble();
        flat.putScalar(i, original - STEP);
        double minus = loss.getAsDouble();
        flat.putScalar(i, original);
        double numeric = (plus - minus) / (2 * STEP);
        double analytic = grad.getDouble(i);
        double rel = Math.abs(analytic - numeric) / Math.max(FLOOR, Math.max(Math.abs(analytic), Math.abs(numeric)));
        if (!(rel <= worst)) {
          worst = rel;
          where = t.name() + "[" + i + "]: analytic " + analytic + ", numeric " + numeric;
        }
      }
    }
    assertTrue(worst <= MAX_RELATIVE_ERROR,
        what + ": max relative error " + worst + " > " + MAX_RELATIVE_ERROR + " at " + where);
    return worst;
  }
}

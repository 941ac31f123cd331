package io.worldring.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * RMSNorm: y = x / sqrt(mean(x^2) + eps) * w.
 * Backward: dx = r (g - xhat mean(g xhat)), with g = dy w, r = 1/rms, xhat = x r; dw = sum_rows(dy xhat).
 */
public final class RmsNorm {
  private final INDArray weight; // [dim]
  private final String weightName;
  private final double eps;

  /** What backward needs: the normalised input and the inverse rms. */
  public record Saved(INDArray normalized, INDArray invRms) {} // [tokens, dim], [tokens]

  public RmsNorm(INDArray weight, String weightName, double eps) {
    this.weight = weight;
    this.weightName = weightName;
    this.eps = eps;
  }

  public String weightName() {
    return weightName;
  }

  /** @param x [tokens, dim]; returns the saved state, whose output is {@link #output(Saved)}. */
  public Saved normalize(INDArray x) {
    INDArray meanSquare = x.mul(x).mean(1); // [tokens]
    INDArray invRms = Transforms.pow(meanSquare.addi(eps), -0.5, false); // [tokens]
    return new Saved(x.mulColumnVector(invRms), invRms);
  }

  /** y = xhat * w, [tokens, dim]. */
  public INDArray output(Saved s) {
    return s.normalized().mulRowVector(weight);
  }

  public INDArray forward(INDArray x) {
    return output(normalize(x));
  }

  /** Returns dx and adds dw into {@code grads}. */
  public INDArray backward(Saved s, INDArray dy, io.worldring.model.Parameters grads) {
    grads.get(weightName).addi(dy.mul(s.normalized()).sum(0));
    INDArray g = dy.mulRowVector(weight); // [tokens, dim]
    INDArray meanGx = g.mul(s.normalized()).mean(1); // [tokens]
    return g.subi(s.normalized().mulColumnVector(meanGx)).muliColumnVector(s.invRms());
  }
}

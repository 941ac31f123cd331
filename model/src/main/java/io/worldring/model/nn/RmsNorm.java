package io.worldring.model.nn;

import io.worldring.model.NativeMemory;
import io.worldring.model.Parameters;
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

  /**
   * What backward needs; owns both arrays.
   *
   * @param normalized xhat = x / rms, [tokens, dim]
   * @param invRms 1 / rms, [tokens]
   */
  public record Saved(INDArray normalized, INDArray invRms) {
    public void release() {
      NativeMemory.release(normalized, invRms);
    }
  }

  public RmsNorm(INDArray weight, String weightName, double eps) {
    this.weight = weight;
    this.weightName = weightName;
    this.eps = eps;
  }

  /** @param x [tokens, dim] */
  public Saved normalize(INDArray x) {
    INDArray square = x.mul(x); // [tokens, dim]
    INDArray invRms = Transforms.pow(square.mean(1).addi(eps), -0.5, false); // [tokens]
    NativeMemory.release(square);
    return new Saved(x.mulColumnVector(invRms), invRms);
  }

  /** y = xhat * w, [tokens, dim]. */
  public INDArray output(Saved s) {
    return s.normalized().mulRowVector(weight);
  }

  public INDArray forward(INDArray x) {
    Saved s = normalize(x);
    INDArray y = output(s);
    s.release();
    return y;
  }

  /** Returns dx and adds dw into {@code grads}. */
  public INDArray backward(Saved s, INDArray dy, Parameters grads) {
    INDArray dyXhat = dy.mul(s.normalized()); // [tokens, dim]
    INDArray dw = dyXhat.sum(0); // [dim]
    grads.get(weightName).addi(dw);
    INDArray g = dy.mulRowVector(weight); // [tokens, dim], becomes dx in place
    INDArray gXhat = g.mul(s.normalized()); // [tokens, dim]
    INDArray meanGx = gXhat.mean(1); // [tokens]
    INDArray correction = s.normalized().mulColumnVector(meanGx); // [tokens, dim]
    g.subi(correction).muliColumnVector(s.invRms());
    NativeMemory.release(dyXhat, dw, gXhat, meanGx, correction);
    return g;
  }
}

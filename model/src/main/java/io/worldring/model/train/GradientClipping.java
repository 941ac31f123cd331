package io.worldring.model.train;

import io.worldring.model.Parameters;

/** Global gradient-norm clipping, as in LLaMA and LWM training. */
public final class GradientClipping {
  private GradientClipping() {}

  /** Scales {@code grads} so their global L2 norm is at most {@code maxNorm} (0 disables); returns the norm before. */
  public static double clip(Parameters grads, double maxNorm) {
    double norm = Math.sqrt(grads.squaredNorm());
    if (maxNorm > 0 && norm > maxNorm) {
      grads.muli(maxNorm / norm);
    }
    return norm;
  }
}

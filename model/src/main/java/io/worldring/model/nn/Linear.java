package io.worldring.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** y = x W^T with W in the checkpoint's [out, in] layout; no bias (LLaMA has none). */
public final class Linear {
  private Linear() {}

  /** @param x [tokens, in], @param w [out, in]; returns [tokens, out] */
  public static INDArray forward(INDArray x, INDArray w) {
    return Nd4j.gemm(x, w, false, true);
  }

  /**
   * Adds dW = dy^T x into {@code dw} and returns dx = dy W.
   *
   * @param x [tokens, in]
   * @param w [out, in]
   * @param dy [tokens, out]
   * @param dw accumulator, [out, in]
   */
  public static INDArray backward(INDArray x, INDArray w, INDArray dy, INDArray dw) {
    Nd4j.gemm(dy, x, dw, true, false, 1.0, 1.0);
    return Nd4j.gemm(dy, w, false, false);
  }
}

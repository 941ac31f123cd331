package io.worldring.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Moves between the token-major layout of projections and the head-major layout of attention. */
public final class Heads {
  private Heads() {}

  /** [tokens, heads * headDim] to a contiguous [heads, tokens, headDim]. */
  public static INDArray split(INDArray x, int heads) {
    long tokens = x.size(0);
    long headDim = x.size(1) / heads;
    return x.reshape(tokens, heads, headDim).permute(1, 0, 2).dup('c'); // [heads, tokens, headDim]
  }

  /** [heads, tokens, headDim] to a contiguous [tokens, heads * headDim]. */
  public static INDArray merge(INDArray x) {
    long heads = x.size(0);
    long tokens = x.size(1);
    long headDim = x.size(2);
    INDArray out = Nd4j.createUninitialized(x.dataType(), tokens, heads * headDim); // [tokens, heads * headDim]
    out.reshape(tokens, heads, headDim).assign(x.permute(1, 0, 2)); // view [tokens, heads, headDim]
    return out;
  }
}

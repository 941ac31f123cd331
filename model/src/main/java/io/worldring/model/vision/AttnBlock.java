package io.worldring.model.vision;

import io.worldring.model.NativeMemory;
import io.worldring.model.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * taming's AttnBlock: single-head self-attention over the pixels of each frame, with 1x1 convolutions
 * for q, k, v and the output projection:
 * A = softmax(q^T k / sqrt(C)) over keys; y = x + proj_out(v A^T).
 */
final class AttnBlock {
  private final GroupNorm norm;
  private final Conv2d q; // [channels, channels, 1, 1]
  private final Conv2d k; // [channels, channels, 1, 1]
  private final Conv2d v; // [channels, channels, 1, 1]
  private final Conv2d projOut; // [channels, channels, 1, 1]

  AttnBlock(Parameters w, String name, int groups) {
    this.norm = new GroupNorm(w.get(name + ".norm.weight"), w.get(name + ".norm.bias"), groups, VqganConfig.NORM_EPS);
    this.q = Conv2d.pointwise(w.get(name + ".q.weight"), w.get(name + ".q.bias"));
    this.k = Conv2d.pointwise(w.get(name + ".k.weight"), w.get(name + ".k.bias"));
    this.v = Conv2d.pointwise(w.get(name + ".v.weight"), w.get(name + ".v.bias"));
    this.projOut = Conv2d.pointwise(w.get(name + ".proj_out.weight"), w.get(name + ".proj_out.bias"));
  }

  /** @param x [n, channels, height, width], left to the caller; returns a new array of the same shape */
  INDArray forward(INDArray x) {
    long n = x.size(0);
    long channels = x.size(1);
    long pixels = x.size(2) * x.size(3);
    INDArray h = norm.forward(x); // [n, channels, height, width]
    INDArray queryMap = q.forward(h); // [n, channels, height, width]
    INDArray keyMap = k.forward(h); // [n, channels, height, width]
    INDArray valueMap = v.forward(h); // [n, channels, height, width]
    NativeMemory.release(h);
    INDArray query = queryMap.reshape('c', n, channels, pixels); // [n, channels, pixels]
    INDArray key = keyMap.reshape('c', n, channels, pixels); // [n, channels, pixels]
    INDArray value = valueMap.reshape('c', n, channels, pixels); // [n, channels, pixels]
    INDArray attended = Nd4j.createUninitialized(x.dataType(), n, channels, pixels); // [n, channels, pixels]
    double scale = 1.0 / Math.sqrt(channels);
    for (long b = 0; b < n; b++) {
      INDArray qb = query.slice(b); // [channels, pixels]
      INDArray kb = key.slice(b); // [channels, pixels]
      INDArray scores = Nd4j.gemm(qb, kb, true, false).muli(scale); // [queries, keys]
      INDArray rowMax = scores.max(1); // [queries]
      scores.subiColumnVector(rowMax);
      Transforms.exp(scores, false);
      INDArray rowSum = scores.sum(1); // [queries]
      scores.diviColumnVector(rowSum);
      // attended[c, i] = sum_j value[c, j] A[i, j]
      Nd4j.gemm(value.slice(b), scores, attended.slice(b), false, true, 1.0, 0.0);
      NativeMemory.release(scores, rowMax, rowSum);
    }
    NativeMemory.release(queryMap, keyMap, valueMap);
    INDArray out = projOut.forward(attended.reshape('c', x.shape())); // [n, channels, height, width]
    NativeMemory.release(attended);
    return out.addi(x);
  }
}

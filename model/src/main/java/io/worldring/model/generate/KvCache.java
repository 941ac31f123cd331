package io.worldring.model.generate;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Keys and values of the positions seen so far, for one layer. */
final class KvCache {
  private final INDArray keys; // [kvHeads, capacity, headDim]
  private final INDArray values; // [kvHeads, capacity, headDim]
  private int length;

  KvCache(int kvHeads, int capacity, int headDim, DataType type) {
    this.keys = Nd4j.zeros(type, kvHeads, capacity, headDim);
    this.values = Nd4j.zeros(type, kvHeads, capacity, headDim);
  }

  /** @param k [kvHeads, tokens, headDim], @param v [kvHeads, tokens, headDim] */
  void append(INDArray k, INDArray v) {
    int n = (int) k.size(1);
    if (length + n > keys.size(1)) {
      throw new IllegalStateException("KV cache full: capacity " + keys.size(1) + " tokens");
    }
    keys.get(NDArrayIndex.all(), NDArrayIndex.interval(length, length + n), NDArrayIndex.all()).assign(k);
    values.get(NDArrayIndex.all(), NDArrayIndex.interval(length, length + n), NDArrayIndex.all()).assign(v);
    length += n;
  }

  /** Contiguous copy of the cached keys, [kvHeads, length, headDim]. */
  INDArray keys() {
    return keys.get(NDArrayIndex.all(), NDArrayIndex.interval(0, length), NDArrayIndex.all()).dup('c');
  }

  /** Contiguous copy of the cached values, [kvHeads, length, headDim]. */
  INDArray values() {
    return values.get(NDArrayIndex.all(), NDArrayIndex.interval(0, length), NDArrayIndex.all()).dup('c');
  }

  int length() {
    return length;
  }
}

package io.worldring.model.nn;

import io.worldring.model.NativeMemory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * RoPE as LLaMA and llama2.c apply it: each head's adjacent pair (x[2i], x[2i+1]) is rotated by
 * pos * theta^(-2i/headDim). Backward is the rotation by the opposite angle.
 */
public final class RotaryEmbedding {
  private final int headDim;
  private final double theta;

  /**
   * cos and sin of every (token, pair) angle.
   *
   * @param cos [tokens * headDim/2], token-major
   * @param sin [tokens * headDim/2], token-major
   */
  public record Tables(INDArray cos, INDArray sin, int tokens) {
    public void release() {
      NativeMemory.release(cos, sin);
    }
  }

  public RotaryEmbedding(int headDim, double theta) {
    this.headDim = headDim;
    this.theta = theta;
  }

  public double theta() {
    return theta;
  }

  public Tables tables(int[] positions, DataType type) {
    int half = headDim / 2;
    double[] cos = new double[positions.length * half];
    double[] sin = new double[positions.length * half];
    for (int i = 0; i < half; i++) {
      double freq = Math.pow(theta, -2.0 * i / headDim);
      for (int t = 0; t < positions.length; t++) {
        double angle = positions[t] * freq;
        cos[t * half + i] = Math.cos(angle);
        sin[t * half + i] = Math.sin(angle);
      }
    }
    long n = (long) positions.length * half;
    return new Tables(Nd4j.create(cos, new long[] {n}, DataType.DOUBLE).castTo(type),
        Nd4j.create(sin, new long[] {n}, DataType.DOUBLE).castTo(type), positions.length);
  }

  /** @param x [heads, tokens, headDim] contiguous; returns the rotated copy. */
  public INDArray rotate(INDArray x, Tables t) {
    return rotate(x, t, false);
  }

  /** The transpose of {@link #rotate}: the gradient of the un-rotated input. */
  public INDArray rotateBack(INDArray dy, Tables t) {
    return rotate(dy, t, true);
  }

  private INDArray rotate(INDArray x, Tables t, boolean inverse) {
    long heads = x.size(0);
    long pairs = (long) t.tokens() * (headDim / 2);
    INDArray pairsView = x.reshape(heads, pairs, 2); // [heads, tokens * headDim/2, 2]
    INDArray even = pairsView.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0)).dup('c'); // [heads, pairs]
    INDArray odd = pairsView.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(1)).dup('c'); // [heads, pairs]
    INDArray sin = inverse ? t.sin().neg() : t.sin(); // [pairs]
    INDArray oddSin = odd.mulRowVector(sin); // [heads, pairs]
    INDArray outEven = even.mulRowVector(t.cos()).subi(oddSin); // x0 cos - x1 sin
    INDArray outOdd = even.muliRowVector(sin).addi(odd.muliRowVector(t.cos())); // x0 sin + x1 cos
    INDArray out = Nd4j.createUninitialized(x.dataType(), x.shape()); // [heads, tokens, headDim]
    INDArray outPairs = out.reshape(heads, pairs, 2); // [heads, tokens * headDim/2, 2]
    outPairs.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0)).assign(outEven);
    outPairs.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(1)).assign(outOdd);
    NativeMemory.release(even, odd, oddSin, outEven, inverse ? sin : null);
    return out;
  }
}

package io.worldring.model.attention;

import io.worldring.model.NativeMemory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The running state of online softmax for one query block, updated by {@link BlockAttention#forward}
 * once per key block. After the last key block, {@link #output()} is exact attention.
 *
 * @param max running row maximum m, [heads * queries], starts at {@link BlockMask#MASKED}
 * @param denominator running l = sum exp(s - m), [heads * queries]
 * @param numerator running o = sum exp(s - m) v, [heads, queries, headDim]
 */
public record OnlineSoftmaxCarry(INDArray max, INDArray denominator, INDArray numerator) {

  public static OnlineSoftmaxCarry start(int heads, int queries, int headDim, DataType type) {
    INDArray m = Nd4j.valueArrayOf(new long[] {(long) heads * queries}, BlockMask.MASKED, type); // [heads * queries]
    INDArray l = Nd4j.zeros(type, (long) heads * queries); // [heads * queries]
    INDArray o = Nd4j.zeros(type, heads, queries, headDim); // [heads, queries, headDim]
    return new OnlineSoftmaxCarry(m, l, o);
  }

  public int heads() {
    return (int) numerator.size(0);
  }

  public int queries() {
    return (int) numerator.size(1);
  }

  /** o / l, [heads, queries, headDim]. A row that saw no key at all (l = 0) gives 0, never NaN. */
  public INDArray output() {
    INDArray out = numerator.dup('c'); // [heads, queries, headDim]
    INDArray safe = safeDenominator();
    out.reshape(denominator.length(), numerator.size(2)).diviColumnVector(safe); // view [heads * queries, headDim]
    NativeMemory.release(safe);
    return out;
  }

  /** log-sum-exp m + log l per row, [heads * queries]: all that backward needs to recompute P. */
  public INDArray logSumExp() {
    return Transforms.log(safeDenominator(), false).addi(max);
  }

  public void release() {
    NativeMemory.release(max, denominator, numerator);
  }

  /** l with zeros replaced by ones, as a new array. */
  private INDArray safeDenominator() {
    INDArray zero = denominator.eq(0);
    INDArray ones = zero.castTo(denominator.dataType());
    INDArray safe = denominator.add(ones);
    NativeMemory.release(zero, ones);
    return safe;
  }
}

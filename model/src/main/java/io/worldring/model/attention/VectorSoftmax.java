package io.worldring.model.attention;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The softmax passes of one fp32 tile pair, each row in one sweep with SIMD lanes, on ND4J's native
 * memory. ND4J needs a separate pass over the score tile for each of max, subtract, exp and sum (forward)
 * and subtract, exp, subtract and multiply (backward); at head size 64 those passes cost as much as the
 * matmuls. Here forward reads the tile twice and writes it once, backward once and once.
 *
 * <p>The steps are those of {@link BlockAttention}'s ND4J path, so results agree to float rounding: the
 * sums add in a different order, and exp is this class's own (within 2 ulp). Every result is the same
 * from run to run, bit for bit, as resuming training from a checkpoint requires. Only {@link FusedSoftmax}
 * touches this class, and only when the {@code jdk.incubator.vector} module is in the JVM.
 *
 * <p>Every buffer holds row-major floats in native byte order; "row" r of the scores is query row
 * {@code r % queries} of head {@code r / queries}, so the mask bias [queries, keys] repeats over heads.
 */
final class VectorSoftmax {
  private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  /*
   * exp in fp32, Cephes' expf: x = n ln2 + r with |r| <= ln2 / 2, exp(r) by a degree-7 polynomial, 2^n put
   * straight into the exponent bits. Within 2 ulp. Written with IEEE operations only (add, multiply, fused
   * multiply-add, exact conversions) so the vector and scalar forms agree bit for bit, and so do the
   * interpreter and the JIT: the JDK's own vector exp differs between them in the last bit, which broke
   * the bit-for-bit repeatability of training that resumes from a checkpoint.
   *
   * Inputs at or below -88 give exactly 0 (as the mask's -1e30 must); inputs are capped at 88 (the kernel
   * only sees x <= 0 up to rounding); NaN stays NaN.
   */
  private static final float EXP_LOW = -88f;
  private static final float EXP_HIGH = 88f;
  private static final float LOG2E = 1.44269504088896341f;
  private static final float ROUND = 12582912f; // 1.5 * 2^23: adding it rounds a float below 2^22 to an integer
  private static final float LN2_HIGH = 0.693359375f;
  private static final float LN2_LOW = -2.12194440e-4f;
  private static final float[] EXP_POLY = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f,
      1.6666665459e-1f, 5.0000001201e-1f};

  private VectorSoftmax() {}

  /**
   * Forward: for rows [from, to) of the scores S, with m, l, o the running carry,
   * <pre>
   *   m' = max(m, rowmax(S + bias));  P = exp(S + bias - m')  (written over S)
   *   l  = l exp(m - m') + rowsum P;  o = o exp(m - m');       m = m'
   * </pre>
   *
   * @param s scores [rows, keys], overwritten with P
   * @param bias [queries, keys] or null when nothing is masked
   * @param m running max [rows]
   * @param l running denominator [rows]
   * @param o running numerator [rows, headDim]
   */
  static void forward(ByteBuffer s, ByteBuffer bias, int from, int to, int keys, int queries,
      ByteBuffer m, ByteBuffer l, ByteBuffer o, int headDim) {
    int bound = LANES.loopBound(keys);
    for (int r = from; r < to; r++) {
      int row = r * keys * Float.BYTES;
      int biasRow = bias == null ? -1 : (r % queries) * keys * Float.BYTES;
      float old = m.getFloat(r * Float.BYTES);

      FloatVector maxes = FloatVector.broadcast(LANES, Float.NEGATIVE_INFINITY);
      int c = 0;
      for (; c < bound; c += LANES.length()) {
        maxes = maxes.max(scores(s, row, bias, biasRow, c));
      }
      float tileMax = maxes.reduceLanes(VectorOperators.MAX);
      for (; c < keys; c++) {
        tileMax = Math.max(tileMax, score(s, row, bias, biasRow, c));
      }
      float max = Math.max(old, tileMax);

      FloatVector sums = FloatVector.zero(LANES);
      for (c = 0; c < bound; c += LANES.length()) {
        FloatVector p = exp(scores(s, row, bias, biasRow, c).sub(max));
        p.intoByteBuffer(s, row + c * Float.BYTES, ORDER);
        sums = sums.add(p);
      }
      float sum = sumInOrder(sums);
      for (; c < keys; c++) {
        float p = exp(score(s, row, bias, biasRow, c) - max);
        s.putFloat(row + c * Float.BYTES, p);
        sum += p;
      }

      float correction = exp(old - max);
      l.putFloat(r * Float.BYTES, l.getFloat(r * Float.BYTES) * correction + sum);
      m.putFloat(r * Float.BYTES, max);
      scaleRow(o, r * headDim * Float.BYTES, headDim, correction);
    }
  }

  /**
   * Backward, before the matmuls: P = exp(S + bias - lse) over rows [from, to), written over S.
   *
   * @param s scores [rows, keys], overwritten with P
   * @param bias [queries, keys] or null
   * @param lse saved log-sum-exp [rows]
   */
  static void probabilities(ByteBuffer s, ByteBuffer bias, int from, int to, int keys, int queries, ByteBuffer lse) {
    int bound = LANES.loopBound(keys);
    for (int r = from; r < to; r++) {
      int row = r * keys * Float.BYTES;
      int biasRow = bias == null ? -1 : (r % queries) * keys * Float.BYTES;
      float rowLse = lse.getFloat(r * Float.BYTES);
      int c = 0;
      for (; c < bound; c += LANES.length()) {
        exp(scores(s, row, bias, biasRow, c).sub(rowLse)).intoByteBuffer(s, row + c * Float.BYTES, ORDER);
      }
      for (; c < keys; c++) {
        s.putFloat(row + c * Float.BYTES, exp(score(s, row, bias, biasRow, c) - rowLse));
      }
    }
  }

  /**
   * Backward, between the matmuls: dS = P (dP - D) over rows [from, to), written over dP.
   *
   * @param dp dP = dO V^T [rows, keys], overwritten with dS
   * @param p P [rows, keys]
   * @param delta D = rowsum(dO * O) [rows]
   */
  static void scoreGradient(ByteBuffer dp, ByteBuffer p, ByteBuffer delta, int from, int to, int keys) {
    int bound = LANES.loopBound(keys);
    for (int r = from; r < to; r++) {
      int row = r * keys * Float.BYTES;
      float d = delta.getFloat(r * Float.BYTES);
      int c = 0;
      for (; c < bound; c += LANES.length()) {
        int at = row + c * Float.BYTES;
        FloatVector.fromByteBuffer(LANES, dp, at, ORDER).sub(d).mul(FloatVector.fromByteBuffer(LANES, p, at, ORDER))
            .intoByteBuffer(dp, at, ORDER);
      }
      for (; c < keys; c++) {
        int at = row + c * Float.BYTES;
        dp.putFloat(at, (dp.getFloat(at) - d) * p.getFloat(at));
      }
    }
  }

  static FloatVector exp(FloatVector x) {
    FloatVector clamped = x.max(EXP_LOW).min(EXP_HIGH);
    FloatVector rounded = clamped.mul(LOG2E).add(ROUND); // n + ROUND; n in its low mantissa bits
    FloatVector n = rounded.sub(ROUND);
    FloatVector r = clamped.sub(n.mul(LN2_HIGH)).sub(n.mul(LN2_LOW));
    FloatVector p = FloatVector.broadcast(LANES, EXP_POLY[0]);
    for (int i = 1; i < EXP_POLY.length; i++) {
      p = p.fma(r, FloatVector.broadcast(LANES, EXP_POLY[i]));
    }
    p = p.fma(r.mul(r), r).add(1f);
    // 2^n: n + 127 in the exponent field; n = -127 gives 0 (x <= -88 lands there).
    FloatVector twoToN = rounded.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND) - 127)
        .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    return p.mul(twoToN).blend(x, x.compare(VectorOperators.NE, x)); // x != x only where x is NaN
  }

  /** The same as {@link #exp(FloatVector)}, operation for operation, for one float. */
  static float exp(float x) {
    float clamped = Math.min(Math.max(x, EXP_LOW), EXP_HIGH);
    float rounded = clamped * LOG2E + ROUND;
    float n = rounded - ROUND;
    float r = clamped - n * LN2_HIGH - n * LN2_LOW;
    float p = EXP_POLY[0];
    for (int i = 1; i < EXP_POLY.length; i++) {
      p = Math.fma(p, r, EXP_POLY[i]);
    }
    p = Math.fma(p, r * r, r) + 1f;
    float twoToN = Float.intBitsToFloat((Float.floatToRawIntBits(rounded) - (Float.floatToRawIntBits(ROUND) - 127)) << 23);
    return Float.isNaN(x) ? x : p * twoToN;
  }

  /** {@link #exp(FloatVector)} over an array whose length is a multiple of the lanes (tests hold it to the scalar form). */
  static float[] expLanes(float[] xs) {
    float[] out = new float[xs.length];
    for (int i = 0; i < xs.length; i += LANES.length()) {
      exp(FloatVector.fromArray(LANES, xs, i)).intoArray(out, i);
    }
    return out;
  }

  /** The lanes' sum, left to right: reduceLanes may add in any order, and the order must not change between runs. */
  private static float sumInOrder(FloatVector v) {
    float sum = 0f;
    for (int i = 0; i < v.length(); i++) {
      sum += v.lane(i);
    }
    return sum;
  }

  private static FloatVector scores(ByteBuffer s, int row, ByteBuffer bias, int biasRow, int c) {
    FloatVector x = FloatVector.fromByteBuffer(LANES, s, row + c * Float.BYTES, ORDER);
    return bias == null ? x : x.add(FloatVector.fromByteBuffer(LANES, bias, biasRow + c * Float.BYTES, ORDER));
  }

  private static float score(ByteBuffer s, int row, ByteBuffer bias, int biasRow, int c) {
    float x = s.getFloat(row + c * Float.BYTES);
    return bias == null ? x : x + bias.getFloat(biasRow + c * Float.BYTES);
  }

  private static void scaleRow(ByteBuffer o, int at, int length, float factor) {
    int bound = LANES.loopBound(length);
    int c = 0;
    for (; c < bound; c += LANES.length()) {
      int i = at + c * Float.BYTES;
      FloatVector.fromByteBuffer(LANES, o, i, ORDER).mul(factor).intoByteBuffer(o, i, ORDER);
    }
    for (; c < length; c++) {
      int i = at + c * Float.BYTES;
      o.putFloat(i, o.getFloat(i) * factor);
    }
  }
}

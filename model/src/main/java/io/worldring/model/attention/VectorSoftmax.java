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
 * <p>The arithmetic is the same as {@link BlockAttention}'s ND4J path, operation for operation, so results
 * agree to float rounding (the sums add in a different order). Only {@link FusedSoftmax} touches this
 * class, and only when the {@code jdk.incubator.vector} module is in the JVM.
 *
 * <p>Every buffer holds row-major floats in native byte order; "row" r of the scores is query row
 * {@code r % queries} of head {@code r / queries}, so the mask bias [queries, keys] repeats over heads.
 */
final class VectorSoftmax {
  private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

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
        FloatVector p = scores(s, row, bias, biasRow, c).sub(max).lanewise(VectorOperators.EXP);
        p.intoByteBuffer(s, row + c * Float.BYTES, ORDER);
        sums = sums.add(p);
      }
      float sum = sums.reduceLanes(VectorOperators.ADD);
      for (; c < keys; c++) {
        float p = (float) Math.exp(score(s, row, bias, biasRow, c) - max);
        s.putFloat(row + c * Float.BYTES, p);
        sum += p;
      }

      float correction = (float) Math.exp(old - max);
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
        scores(s, row, bias, biasRow, c).sub(rowLse).lanewise(VectorOperators.EXP).intoByteBuffer(s, row + c * Float.BYTES, ORDER);
      }
      for (; c < keys; c++) {
        s.putFloat(row + c * Float.BYTES, (float) Math.exp(score(s, row, bias, biasRow, c) - rowLse));
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

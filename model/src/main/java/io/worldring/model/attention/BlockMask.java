package io.worldring.model.attention;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which (query, key) pairs of one block pair may attend: causal by absolute position, and only within
 * a segment. A pair with nothing visible is {@link Kind#SKIP}ped without any arithmetic; one with
 * everything visible needs no mask; otherwise an additive bias holds 0 or {@link #MASKED}.
 */
public final class BlockMask {
  /**
   * The score of a masked pair. Large and negative but finite, so {@code exp(MASKED - m)} is exactly 0
   * for any real row maximum m, and a row that is fully masked within a block stays finite (no NaN).
   */
  public static final double MASKED = -1e30;

  public enum Kind { SKIP, FULL, PARTIAL }

  private static final BlockMask SKIP = new BlockMask(Kind.SKIP, null);
  private static final BlockMask FULL = new BlockMask(Kind.FULL, null);

  private final Kind kind;
  private final INDArray bias; // [queries, keys] of 0 / MASKED, only for PARTIAL

  private BlockMask(Kind kind, INDArray bias) {
    this.kind = kind;
    this.bias = bias;
  }

  public Kind kind() {
    return kind;
  }

  public boolean skipped() {
    return kind == Kind.SKIP;
  }

  /** The additive bias [queries, keys]; only for {@link Kind#PARTIAL}. */
  public INDArray bias() {
    return bias;
  }

  /** Everything visible (e.g. bidirectional attention within one segment). */
  public static BlockMask full() {
    return FULL;
  }

  public static BlockMask between(TokenBlock queries, TokenBlock keys, boolean causal, DataType type) {
    Integer qSeg = queries.singleSegment();
    Integer kSeg = keys.singleSegment();
    boolean sameSingleSegment = qSeg != null && qSeg.equals(kSeg);
    if (causal && keys.minPosition() > queries.maxPosition()) {
      return SKIP; // wholly above the diagonal
    }
    if (qSeg != null && kSeg != null && !qSeg.equals(kSeg)) {
      return SKIP;
    }
    if (sameSingleSegment && (!causal || keys.maxPosition() <= queries.minPosition())) {
      return FULL;
    }
    int nq = queries.size();
    int nk = keys.size();
    float[] values = new float[nq * nk];
    int visible = 0;
    for (int i = 0; i < nq; i++) {
      int qp = queries.positions()[i];
      int qs = queries.segment(i);
      for (int j = 0; j < nk; j++) {
        boolean ok = (!causal || keys.positions()[j] <= qp) && keys.segment(j) == qs;
        if (ok) {
          visible++;
        } else {
          values[i * nk + j] = (float) MASKED;
        }
      }
    }
    if (visible == 0) {
      return SKIP;
    }
    if (visible == nq * nk) {
      return FULL;
    }
    return new BlockMask(Kind.PARTIAL, Nd4j.create(values, new long[] {nq, nk}, DataType.FLOAT).castTo(type));
  }
}

package io.worldring.model.attention;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Causal self-attention of one sequence on one device: the sequence is its own only key block, so this
 * is exactly what a ring of one device computes. Bounded memory: scores exist for one (query tile, key
 * tile) pair at a time. One instance serves every layer of a sequence; its masks are built once.
 */
public final class LocalAttention {
  private final TokenBlock tokens;
  private final int tile;
  private final boolean causal;
  private AttentionMasks masks;
  private DataType maskType;

  /**
   * @param tokens positions and segments of the whole sequence
   * @param tile tokens per attention tile (the last may be shorter)
   * @param causal false for bidirectional attention within segments
   */
  public LocalAttention(TokenBlock tokens, int tile, boolean causal) {
    if (tile <= 0) {
      throw new IllegalArgumentException("attention tile size must be positive: " + tile);
    }
    this.tokens = tokens;
    this.tile = tile;
    this.causal = causal;
  }

  /**
   * @param q [heads, tokens, headDim]
   * @param k [kvHeads, tokens, headDim]
   * @param v [kvHeads, tokens, headDim]
   */
  public AttentionOutput forward(INDArray q, INDArray k, INDArray v, double scale) {
    QueryBlockAttention attention = new QueryBlockAttention(tokens, q, tile, scale, masks(q.dataType()));
    attention.accumulate(0, tokens, k, v);
    return attention.finish();
  }

  /**
   * @param out the forward output, [heads, tokens, headDim]
   * @param lse the forward log-sum-exp, [heads * tokens]
   * @param dOut [heads, tokens, headDim]
   */
  public AttentionGradients backward(INDArray q, INDArray k, INDArray v, INDArray out, INDArray lse, INDArray dOut, double scale) {
    QueryBlockAttentionBackward attention = new QueryBlockAttentionBackward(tokens, q, out, lse, dOut, tile, scale, masks(q.dataType()));
    INDArray dk = Nd4j.zeros(k.dataType(), k.shape());
    INDArray dv = Nd4j.zeros(v.dataType(), v.shape());
    attention.accumulate(0, tokens, k, v, dk, dv);
    return new AttentionGradients(attention.finish(), dk, dv);
  }

  /** Frees the masks. */
  public void release() {
    if (masks != null) {
      masks.release();
    }
  }

  private AttentionMasks masks(DataType type) {
    if (masks == null || maskType != type) {
      release();
      masks = new AttentionMasks(causal, type);
      maskType = type;
    }
    return masks;
  }
}

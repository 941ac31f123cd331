package io.worldring.model;

import io.worldring.model.attention.TokenBlock;
import java.util.HashMap;
import java.util.Map;

/**
 * Model FLOPs of a training step, the estimate MFU is quoted against (PaLM appendix B, as LWM's
 * RingAttention paper uses): 6 FLOPs per matmul parameter per token (forward 2, backward 4) for the
 * projections, the MLP and the output head (the embedding lookup is free), plus attention's {@code QK^T}
 * and {@code PV}: 4 FLOPs per head dimension per attended (query, key) pair in the forward, 3x that with
 * the backward. Only pairs the causal and segment masks let through count, so packing and causality do
 * not inflate it. Recomputation is not counted: this is what the model needs, not what the code does.
 */
public final class TrainingFlops {
  private TrainingFlops() {}

  /** Multiply-add parameters touched once per token: attention projections, MLP, output head. */
  public static double matmulParameters(ModelConfig c) {
    double perLayer = 2.0 * c.dim() * c.dim() + 2.0 * c.dim() * c.kvDim() + 3.0 * c.dim() * c.hiddenDim();
    return c.nLayers() * perLayer + (double) c.vocabSize() * c.dim();
  }

  /** Forward and backward FLOPs of {@code tokens} tokens that attend to {@code attendedPairs} keys in all. */
  public static double training(ModelConfig c, long tokens, long attendedPairs) {
    double attention = 3.0 * 4.0 * c.nLayers() * c.nHeads() * c.headDim() * (double) attendedPairs;
    return 6.0 * matmulParameters(c) * tokens + attention;
  }

  /**
   * (query, key) pairs the queries of {@code queries} attend to in a sequence made of {@code blocks}:
   * keys of the same segment at the same or an earlier position. Segments are contiguous runs of
   * positions (packing places examples one after another), so a query at position p of a segment whose
   * first position is s sees p - s + 1 keys.
   */
  public static long attendedPairs(TokenBlock queries, TokenBlock[] blocks) {
    Map<Integer, Integer> firstPosition = new HashMap<>();
    for (TokenBlock b : blocks) {
      for (int i = 0; i < b.size(); i++) {
        firstPosition.merge(segmentOf(b, i), b.positions()[i], Math::min);
      }
    }
    long pairs = 0;
    for (int i = 0; i < queries.size(); i++) {
      pairs += queries.positions()[i] - firstPosition.getOrDefault(segmentOf(queries, i), queries.positions()[i]) + 1;
    }
    return pairs;
  }

  private static int segmentOf(TokenBlock b, int i) {
    return b.segments() == null ? 0 : b.segments()[i];
  }
}

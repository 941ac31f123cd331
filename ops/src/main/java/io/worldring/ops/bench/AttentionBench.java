package io.worldring.ops.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.attention.AttentionOutput;
import io.worldring.model.attention.LocalAttention;
import io.worldring.model.attention.TokenBlock;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Blockwise causal attention, forward plus backward, over one sequence. FLOPs count only the unmasked
 * (query, key) pairs: forward 4 d per pair and head (QK^T and PV), backward 10 d (S recomputed, dV, dP,
 * dQ, dK), the convention FlashAttention's benchmarks use.
 */
public final class AttentionBench {
  private AttentionBench() {}

  public static ObjectNode measure(ObjectNode out, int seq, int block, int heads, int kvHeads, int headDim, int repeats) {
    INDArray q = Nd4j.randn(DataType.FLOAT, heads, seq, headDim);
    INDArray k = Nd4j.randn(DataType.FLOAT, kvHeads, seq, headDim);
    INDArray v = Nd4j.randn(DataType.FLOAT, kvHeads, seq, headDim);
    INDArray dOut = Nd4j.randn(DataType.FLOAT, heads, seq, headDim);
    LocalAttention attention = new LocalAttention(TokenBlock.contiguous(0, seq), block, true);
    double scale = 1.0 / Math.sqrt(headDim);
    double[] forwardOnly = new double[1];
    forwardOnly[0] = Timing.medianSeconds(() -> attention.forward(q, k, v, scale), 1, repeats);
    double seconds = Timing.medianSeconds(() -> {
      AttentionOutput o = attention.forward(q, k, v, scale);
      attention.backward(q, k, v, o.out(), o.logSumExp(), dOut, scale);
    }, 1, repeats);
    double pairs = (double) seq * (seq + 1) / 2;
    double forwardFlops = 4.0 * pairs * headDim * heads;
    double totalFlops = 14.0 * pairs * headDim * heads;
    out.put("seq", seq).put("block", block).put("heads", heads).put("kv_heads", kvHeads).put("head_dim", headDim);
    out.put("unmasked_pairs", pairs);
    out.put("forward_median_seconds", forwardOnly[0]);
    out.put("forward_gflops", forwardFlops / forwardOnly[0] / 1e9);
    out.put("median_seconds", seconds);
    out.put("gflops", totalFlops / seconds / 1e9);
    return out;
  }
}

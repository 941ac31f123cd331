package io.worldring.model.nn;

import io.worldring.model.ModelConfig;
import io.worldring.model.NativeMemory;
import io.worldring.model.ParameterNames;
import io.worldring.model.Parameters;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Final RMSNorm and the LM head, fused with the loss: logits are produced, turned into gradients and
 * dropped a chunk of rows at a time, so [tokens, vocab] never exists whole (32000 x 32K tokens would be
 * 4 GiB in fp32).
 */
public final class OutputHead {
  private final RmsNorm finalNorm;
  private final INDArray weight; // [vocab, dim], lm_head or the tied embedding
  private final String weightName;
  private final int chunkRows;

  public record Result(double loss, INDArray dx) {} // dx [tokens, dim]

  public OutputHead(ModelConfig c, Parameters p, int chunkRows) {
    this.finalNorm = new RmsNorm(p.get(ParameterNames.FINAL_NORM), ParameterNames.FINAL_NORM, c.normEps());
    this.weightName = ParameterNames.outputWeight(c);
    this.weight = p.get(weightName);
    this.chunkRows = chunkRows;
  }

  /** @param x [tokens, dim]; returns [tokens, vocab] */
  public INDArray logits(INDArray x) {
    INDArray h = finalNorm.forward(x); // [tokens, dim]
    INDArray logits = Linear.forward(h, weight);
    NativeMemory.release(h);
    return logits;
  }

  /** Rows [start, end) as a contiguous array: {@code h} itself when that is all of it. */
  private static INDArray rows(INDArray h, int start, int end) {
    return start == 0 && end == h.size(0) ? h : h.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).dup('c');
  }

  /** The weighted loss sum without gradients (evaluation). */
  public double loss(INDArray x, int[] targets, float[] weights) {
    INDArray h = finalNorm.forward(x); // [tokens, dim]
    int tokens = (int) h.size(0);
    double loss = 0;
    for (int start = 0; start < tokens; start += chunkRows) {
      int end = Math.min(tokens, start + chunkRows);
      INDArray hc = rows(h, start, end); // [rows, dim]
      INDArray logits = Linear.forward(hc, weight); // [rows, vocab]
      loss += CrossEntropy.weighted(logits, Arrays.copyOfRange(targets, start, end), Arrays.copyOfRange(weights, start, end)).loss();
      NativeMemory.release(logits, hc == h ? null : hc);
    }
    NativeMemory.release(h);
    return loss;
  }

  /**
   * @param x final hidden states, [tokens, dim]
   * @param targets [tokens]
   * @param weights per-token loss weights, [tokens]
   */
  public Result lossAndBackward(INDArray x, int[] targets, float[] weights, Parameters grads) {
    RmsNorm.Saved norm = finalNorm.normalize(x);
    INDArray h = finalNorm.output(norm); // [tokens, dim]
    int tokens = (int) h.size(0);
    INDArray dh = Nd4j.createUninitialized(h.dataType(), h.shape()); // [tokens, dim]
    INDArray dw = grads.get(weightName);
    double loss = 0;
    for (int start = 0; start < tokens; start += chunkRows) {
      int end = Math.min(tokens, start + chunkRows);
      INDArray hc = rows(h, start, end); // [rows, dim]
      CrossEntropy.Result ce = CrossEntropy.weighted(Linear.forward(hc, weight),
          Arrays.copyOfRange(targets, start, end), Arrays.copyOfRange(weights, start, end));
      loss += ce.loss();
      INDArray dhc = Linear.backward(hc, weight, ce.dLogits(), dw); // [rows, dim]
      dh.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).assign(dhc);
      NativeMemory.release(ce.dLogits(), dhc, hc == h ? null : hc);
    }
    INDArray dx = finalNorm.backward(norm, dh, grads);
    norm.release();
    NativeMemory.release(h, dh);
    return new Result(loss, dx);
  }
}

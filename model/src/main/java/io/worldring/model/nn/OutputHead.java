package io.worldring.model.nn;

import io.worldring.model.BadInputException;
import io.worldring.model.Modality;
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
 * 4 GiB in fp32). A model with vision tables also has a vision head (LWM's {@code vision_head}) after the
 * same final norm: rows whose target is a vision code go through it, the others through the LM head.
 */
public final class OutputHead {
  private final RmsNorm finalNorm;
  private final INDArray weight; // [vocab, dim], lm_head or the tied embedding
  private final String weightName;
  private final INDArray visionWeight; // [visionVocab, dim], or null for a text-only model
  private final int chunkRows;

  public record Result(double loss, INDArray dx) {} // dx [tokens, dim]

  public OutputHead(ModelConfig c, Parameters p, int chunkRows) {
    this.finalNorm = new RmsNorm(p.get(ParameterNames.FINAL_NORM), ParameterNames.FINAL_NORM, c.normEps());
    this.weightName = ParameterNames.outputWeight(c);
    this.weight = p.get(weightName);
    this.visionWeight = c.hasVision() ? p.get(ParameterNames.VISION_HEAD) : null;
    this.chunkRows = chunkRows;
  }

  /** @param x [tokens, dim]; returns the text logits, [tokens, vocab] */
  public INDArray logits(INDArray x) {
    return logits(x, Modality.TEXT);
  }

  /** @param x [tokens, dim]; returns the logits of {@code head}, [tokens, vocab or visionVocab] */
  public INDArray logits(INDArray x, Modality head) {
    INDArray w = weightOf(head == Modality.VISION, -1);
    INDArray h = finalNorm.forward(x); // [tokens, dim]
    INDArray logits = Linear.forward(h, w);
    NativeMemory.release(h);
    return logits;
  }

  /** Rows [start, end) as a contiguous array: {@code h} itself when that is all of it. */
  private static INDArray rows(INDArray h, int start, int end) {
    return start == 0 && end == h.size(0) ? h : h.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).dup('c');
  }

  /** The weighted loss sum of text targets without gradients (evaluation). */
  public double loss(INDArray x, int[] targets, float[] weights) {
    return loss(x, targets, weights, null);
  }

  /**
   * The weighted loss sum without gradients (evaluation).
   *
   * @param vision [tokens], which targets are vision codes (scored by the vision head); null: all text
   */
  public double loss(INDArray x, int[] targets, float[] weights, boolean[] vision) {
    ModalityRows split = ModalityRows.of(targets, vision);
    INDArray h = finalNorm.forward(x); // [tokens, dim]
    double loss;
    if (!split.hasVision()) {
      loss = chunkedLoss(h, targets, weights, weight);
    } else {
      INDArray visionHead = weightOf(true, split.vision()[0]);
      loss = 0;
      for (boolean v : new boolean[] {false, true}) {
        int[] rows = v ? split.vision() : split.text();
        if (rows.length > 0) {
          INDArray hk = ModalityRows.gather(h, rows); // [rows, dim]
          loss += chunkedLoss(hk, v ? split.visionIds() : split.textIds(), ModalityRows.gather(weights, rows), v ? visionHead : weight);
          NativeMemory.release(hk);
        }
      }
    }
    NativeMemory.release(h);
    return loss;
  }

  private double chunkedLoss(INDArray h, int[] targets, float[] weights, INDArray w) {
    int tokens = (int) h.size(0);
    double loss = 0;
    for (int start = 0; start < tokens; start += chunkRows) {
      int end = Math.min(tokens, start + chunkRows);
      INDArray hc = rows(h, start, end); // [rows, dim]
      INDArray logits = Linear.forward(hc, w); // [rows, vocab]
      loss += CrossEntropy.weighted(logits, Arrays.copyOfRange(targets, start, end), Arrays.copyOfRange(weights, start, end)).loss();
      NativeMemory.release(logits, hc == h ? null : hc);
    }
    return loss;
  }

  /** Loss and backward of text targets only. */
  public Result lossAndBackward(INDArray x, int[] targets, float[] weights, Parameters grads) {
    return lossAndBackward(x, targets, weights, null, grads);
  }

  /**
   * @param x final hidden states, [tokens, dim]
   * @param targets [tokens]: text ids, or vision codes where {@code vision} is set
   * @param weights per-token loss weights, [tokens]
   * @param vision [tokens], which targets the vision head predicts; null: all text
   */
  public Result lossAndBackward(INDArray x, int[] targets, float[] weights, boolean[] vision, Parameters grads) {
    ModalityRows split = ModalityRows.of(targets, vision);
    INDArray visionHead = split.hasVision() ? weightOf(true, split.vision()[0]) : null;
    RmsNorm.Saved norm = finalNorm.normalize(x);
    INDArray h = finalNorm.output(norm); // [tokens, dim]
    INDArray dh; // [tokens, dim]
    double loss;
    if (!split.hasVision()) {
      dh = Nd4j.createUninitialized(h.dataType(), h.shape());
      loss = chunkedLossAndBackward(h, targets, weights, weight, grads.get(weightName), dh);
    } else {
      dh = Nd4j.zeros(h.dataType(), h.shape());
      loss = 0;
      for (boolean v : new boolean[] {false, true}) {
        int[] rows = v ? split.vision() : split.text();
        if (rows.length == 0) {
          continue;
        }
        INDArray hk = ModalityRows.gather(h, rows); // [rows, dim]
        INDArray dhk = Nd4j.createUninitialized(h.dataType(), hk.shape()); // [rows, dim]
        loss += chunkedLossAndBackward(hk, v ? split.visionIds() : split.textIds(), ModalityRows.gather(weights, rows),
            v ? visionHead : weight, grads.get(v ? ParameterNames.VISION_HEAD : weightName), dhk);
        ModalityRows.scatterAdd(dh, rows, dhk); // rows are disjoint: exact copies
        NativeMemory.release(hk, dhk);
      }
    }
    INDArray dx = finalNorm.backward(norm, dh, grads);
    norm.release();
    NativeMemory.release(h, dh);
    return new Result(loss, dx);
  }

  /** Loss of rows {@code h} under head {@code w}; adds into {@code dw} and writes {@code dh}, chunk by chunk. */
  private double chunkedLossAndBackward(INDArray h, int[] targets, float[] weights, INDArray w, INDArray dw, INDArray dh) {
    int tokens = (int) h.size(0);
    double loss = 0;
    for (int start = 0; start < tokens; start += chunkRows) {
      int end = Math.min(tokens, start + chunkRows);
      INDArray hc = rows(h, start, end); // [rows, dim]
      CrossEntropy.Result ce = CrossEntropy.weighted(Linear.forward(hc, w),
          Arrays.copyOfRange(targets, start, end), Arrays.copyOfRange(weights, start, end));
      loss += ce.loss();
      INDArray dhc = Linear.backward(hc, w, ce.dLogits(), dw); // [rows, dim]
      dh.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).assign(dhc);
      NativeMemory.release(ce.dLogits(), dhc, hc == h ? null : hc);
    }
    return loss;
  }

  /** The head's weight; {@code row} names the first vision row in the error of a text-only model. */
  private INDArray weightOf(boolean vision, int row) {
    if (!vision) {
      return weight;
    }
    if (visionWeight == null) {
      throw new BadInputException((row >= 0 ? "target at position " + row + " is marked as a vision code, but" : "vision logits asked of")
          + " a model without a vision vocabulary (vision-vocab-size 0)");
    }
    return visionWeight;
  }
}

package io.worldring.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Cross-entropy with a weight per token: loss = sum_t w_t (logsumexp(z_t) - z_t[y_t]);
 * dz_t = w_t (softmax(z_t) - onehot(y_t)). A weight of 0 means no loss for that token. Normalisation
 * (a mean over loss tokens, or LWM's per-example reweighting for packed sequences) is the caller's,
 * folded into the weights, so that a sum over devices of a ring equals the single-device loss.
 */
public final class CrossEntropy {
  private CrossEntropy() {}

  /**
   * @param loss the weighted sum over tokens
   * @param dLogits [tokens, vocab]
   */
  public record Result(double loss, INDArray dLogits) {}

  /**
   * @param logits [tokens, vocab]; overwritten with the gradient
   * @param targets [tokens]
   * @param weights [tokens]
   */
  public static Result weighted(INDArray logits, int[] targets, float[] weights) {
    int tokens = (int) logits.size(0);
    int vocab = (int) logits.size(1);
    if (targets.length != tokens || weights.length != tokens) {
      throw new IllegalArgumentException("targets/weights length must equal tokens " + tokens);
    }
    INDArray max = logits.max(1); // [tokens]
    logits.subiColumnVector(max);
    INDArray targetLogit = Nd4j.createUninitialized(logits.dataType(), tokens); // [tokens], shifted z[y]
    for (int t = 0; t < tokens; t++) {
      if (targets[t] < 0 || targets[t] >= vocab) {
        throw new IllegalArgumentException("target " + targets[t] + " at token " + t + " is outside the vocabulary of " + vocab);
      }
      targetLogit.putScalar(t, logits.getDouble(t, targets[t]));
    }
    Transforms.exp(logits, false);
    INDArray sum = logits.sum(1); // [tokens]
    logits.diviColumnVector(sum); // softmax
    INDArray nll = Transforms.log(sum, true).subi(targetLogit); // [tokens]
    INDArray w = Nd4j.create(weights, new long[] {tokens}, org.nd4j.linalg.api.buffer.DataType.FLOAT).castTo(logits.dataType());
    double loss = nll.muli(w).sumNumber().doubleValue();
    for (int t = 0; t < tokens; t++) {
      logits.putScalar(t, targets[t], logits.getDouble(t, targets[t]) - 1.0);
    }
    logits.muliColumnVector(w);
    return new Result(loss, logits);
  }
}

package io.worldring.model.nn;

import io.worldring.model.NativeMemory;
import org.nd4j.linalg.api.buffer.DataType;
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
   * @param dLogits [tokens, vocab], the logits array itself, overwritten
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
    double[] targetLogit = new double[tokens]; // shifted z[y]
    for (int t = 0; t < tokens; t++) {
      if (targets[t] < 0 || targets[t] >= vocab) {
        throw new IllegalArgumentException("target " + targets[t] + " at token " + t + " is outside the vocabulary of " + vocab);
      }
      targetLogit[t] = logits.getDouble(t, targets[t]);
    }
    Transforms.exp(logits, false);
    INDArray sum = logits.sum(1); // [tokens]
    logits.diviColumnVector(sum); // softmax
    double[] logSum = Transforms.log(sum, false).castTo(DataType.DOUBLE).toDoubleVector();
    double loss = 0;
    for (int t = 0; t < tokens; t++) {
      loss += weights[t] * (logSum[t] - targetLogit[t]);
      logits.putScalar(t, targets[t], logits.getDouble(t, targets[t]) - 1.0);
    }
    INDArray w = Nd4j.create(weights, new long[] {tokens}, DataType.FLOAT); // [tokens]
    INDArray wTyped = w.castTo(logits.dataType());
    logits.muliColumnVector(wTyped);
    NativeMemory.release(max, sum, w, wTyped);
    return new Result(loss, logits);
  }
}

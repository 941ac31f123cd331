package io.worldring.ops.eval;

import io.worldring.model.LlamaModel;
import io.worldring.model.NativeMemory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Perplexity and next-token accuracy of a model on a token stream, in non-overlapping chunks of
 * {@code context + 1} tokens (every chunk predicts {@code context} targets from position 0).
 */
public final class Perplexity {
  /** Mean cross-entropy in nats per token, its exponential, and the share of argmax hits. */
  public record Result(long tokens, int chunks, double loss, double perplexity, double tokenAccuracy) {}

  private Perplexity() {}

  public static Result measure(LlamaModel model, int[] stream, int context, int maxChunks) {
    double nll = 0;
    long hits = 0;
    long tokens = 0;
    int chunks = 0;
    for (int start = 0; start + context + 1 <= stream.length && chunks < maxChunks; start += context + 1) {
      int[] input = java.util.Arrays.copyOfRange(stream, start, start + context);
      INDArray logits = model.logits(input).castTo(DataType.DOUBLE); // [context, vocab]
      double[][] rows = logits.toDoubleMatrix();
      NativeMemory.release(logits);
      for (int t = 0; t < context; t++) {
        double[] z = rows[t];
        int target = stream[start + t + 1];
        double max = Double.NEGATIVE_INFINITY;
        int best = 0;
        for (int v = 0; v < z.length; v++) {
          if (z[v] > max) {
            max = z[v];
            best = v;
          }
        }
        double sum = 0;
        for (double v : z) {
          sum += Math.exp(v - max);
        }
        nll += max + Math.log(sum) - z[target];
        hits += best == target ? 1 : 0;
        tokens++;
      }
      chunks++;
    }
    if (tokens == 0) {
      throw new io.worldring.model.BadInputException("the text holds " + stream.length + " tokens, fewer than one chunk of " + (context + 1));
    }
    double loss = nll / tokens;
    return new Result(tokens, chunks, loss, Math.exp(loss), (double) hits / tokens);
  }
}

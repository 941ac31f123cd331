package io.worldring.ops.eval;

import io.worldring.datasets.Tokenizer;
import io.worldring.datasets.vision.VisionExample;
import io.worldring.model.LlamaModel;
import io.worldring.model.Modality;
import io.worldring.model.generate.Generator;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Closed-set answers by likelihood: each candidate is scored by the log-probability the model gives its
 * tokens after the prompt, {@code sum_i log p(answer_i | prompt, answer_<i)}, and the best is the highest.
 * A candidate is written as the training formats write answers, {@code " " + answer} then EOS
 * ({@link io.worldring.datasets.vision.VideoQaFormat}, {@link io.worldring.datasets.ChatTemplate}), so the
 * EOS is scored too and a candidate that is a prefix of another does not win by being shorter. Sums, not
 * means: a longer candidate pays for each of its tokens, as its probability does.
 *
 * <p>The prompt may hold vision spans (it is fed with its vision mask); candidates are text. Each candidate
 * prefills the prompt again: the KV cache cannot be forked, and one forward over prompt + candidate per
 * candidate keeps memory bounded by the cache rather than by [tokens, vocab] logits.
 */
public final class ChoiceScorer {
  /**
   * @param choice the candidate as given
   * @param logLikelihood natural log of its probability, EOS included
   * @param tokens tokens scored, EOS included
   */
  public record Score(String choice, double logLikelihood, int tokens) {}

  /** @param best index into scores of the highest log-likelihood (the first, on ties) */
  public record Result(List<Score> scores, int best) {
    public Score winner() {
      return scores.get(best);
    }
  }

  private final LlamaModel model;
  private final Tokenizer text;

  public ChoiceScorer(LlamaModel model, Tokenizer text) {
    this.model = model;
    this.text = text;
  }

  /** The ids a candidate answer is scored as: {@code " " + answer.strip()}, then EOS. */
  public int[] answerTokens(String answer) {
    int[] ids = text.encode(" " + answer.strip());
    int[] out = java.util.Arrays.copyOf(ids, ids.length + 1);
    out[ids.length] = text.eos();
    return out;
  }

  public Result score(VisionExample prompt, List<String> choices) {
    if (choices.isEmpty()) {
      throw new IllegalArgumentException("no choices to score");
    }
    List<Score> scores = new ArrayList<>(choices.size());
    int best = 0;
    for (int i = 0; i < choices.size(); i++) {
      int[] answer = answerTokens(choices.get(i));
      scores.add(new Score(choices.get(i), logLikelihood(prompt, answer), answer.length));
      if (scores.get(i).logLikelihood() > scores.get(best).logLikelihood()) {
        best = i;
      }
    }
    return new Result(List.copyOf(scores), best);
  }

  /** {@code sum_i log p(continuation_i | prompt, continuation_<i)} under the text head. */
  public double logLikelihood(VisionExample prompt, int[] continuation) {
    Generator g = new Generator(model, prompt.length() + continuation.length);
    INDArray logits = g.feed(prompt.tokens(), prompt.vision(), Modality.TEXT);
    double sum = 0;
    for (int i = 0; i < continuation.length; i++) {
      sum += logSoftmax(logits.toDoubleVector(), continuation[i]);
      if (i < continuation.length - 1) {
        logits = g.feed(new int[] {continuation[i]});
      }
    }
    return sum;
  }

  /** log softmax(z)[target], in double. */
  static double logSoftmax(double[] z, int target) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (double v : z) {
      sum += Math.exp(v - max);
    }
    return z[target] - max - Math.log(sum);
  }
}

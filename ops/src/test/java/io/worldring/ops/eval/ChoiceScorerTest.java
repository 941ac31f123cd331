package io.worldring.ops.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.worldring.datasets.ByteTokenizer;
import io.worldring.datasets.vision.FrameCodes;
import io.worldring.datasets.vision.VideoQaFormat;
import io.worldring.datasets.vision.VisionExample;
import io.worldring.datasets.vision.VisionVocabulary;
import io.worldring.model.LlamaModel;
import io.worldring.model.Modality;
import io.worldring.ops.VisionFixtures;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Choice scores against a naive reference: one full forward pass over prompt + answer, log-softmax in double. */
class ChoiceScorerTest {
  static final VisionVocabulary VOCAB = new VisionVocabulary(VisionFixtures.CODEBOOK);
  static final double TOLERANCE = 1e-3;

  @Test
  void scoresAreTheAnswersLogLikelihoodAfterAVideoPrompt() {
    LlamaModel model = VisionFixtures.model(VisionFixtures.config(VOCAB.size()), 5);
    ByteTokenizer text = new ByteTokenizer();
    int[][] codes = new int[3][VisionFixtures.CODES_PER_FRAME];
    for (int f = 0; f < codes.length; f++) {
      for (int i = 0; i < codes[f].length; i++) {
        codes[f][i] = (f * 7 + i * 3) % VisionFixtures.CODEBOOK;
      }
    }
    VisionExample prompt = new VideoQaFormat(text, VOCAB).prompt(new FrameCodes(codes), "How many times did it bounce?");
    List<String> choices = List.of("one", "two", "three times");
    ChoiceScorer scorer = new ChoiceScorer(model, text);
    ChoiceScorer.Result r = scorer.score(prompt, choices);

    assertArrayEquals(new int[] {' ', 'o', 'n', 'e', ByteTokenizer.EOS}, scorer.answerTokens("one "));
    int best = 0;
    double[] reference = new double[choices.size()];
    for (int c = 0; c < choices.size(); c++) {
      int[] answer = scorer.answerTokens(choices.get(c));
      int[] all = Arrays.copyOf(prompt.tokens(), prompt.length() + answer.length);
      System.arraycopy(answer, 0, all, prompt.length(), answer.length);
      boolean[] vision = Arrays.copyOf(prompt.vision(), all.length);
      INDArray logits = model.logits(all, vision, Modality.TEXT); // [tokens, vocab]
      double[][] rows = logits.toDoubleMatrix();
      for (int i = 0; i < answer.length; i++) {
        reference[c] += ChoiceScorer.logSoftmax(rows[prompt.length() - 1 + i], answer[i]);
      }
      ChoiceScorer.Score s = r.scores().get(c);
      assertEquals(choices.get(c), s.choice());
      assertEquals(answer.length, s.tokens());
      assertEquals(reference[c], s.logLikelihood(), TOLERANCE, "choice '" + choices.get(c) + "': difference "
          + Math.abs(reference[c] - s.logLikelihood()));
      best = reference[c] > reference[best] ? c : best;
    }
    assertEquals(best, r.best(), "best by the reference: " + Arrays.toString(reference));
    assertEquals(choices.get(best), r.winner().choice());
  }

  @Test
  void logSoftmaxIsStable() {
    assertEquals(Math.log(0.5), ChoiceScorer.logSoftmax(new double[] {1000, 1000}, 1), 1e-12);
    assertEquals(-1000 - Math.log1p(Math.exp(-1000)), ChoiceScorer.logSoftmax(new double[] {1000, 0}, 1), 1e-9);
  }
}

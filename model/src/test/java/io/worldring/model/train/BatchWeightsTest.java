package io.worldring.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.worldring.model.BadInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchWeightsTest {
  static TrainingSequence seq(float[] weights, boolean[] visionTargets) {
    int n = weights.length;
    return new TrainingSequence(new int[n], new int[n], weights, new int[n], null, null, visionTargets);
  }

  @Test
  void visionTextAverageByHand() {
    // Vision weight V = 2 + 0 + 0.5 + 1.5 = 4, text weight T = 1 + 1 + 1 = 3.
    TrainingSequence a = seq(new float[] {1, 2, 0, 1}, new boolean[] {false, true, true, false});
    TrainingSequence b = seq(new float[] {0.5f, 1.5f, 1}, new boolean[] {true, true, false});
    List<TrainingSequence> out = BatchWeights.visionTextAverage(List.of(a, b), 0.5);
    assertArrayEquals(new float[] {1f / 6, 0.25f, 0, 1f / 6}, out.get(0).weights(), 1e-7f);
    assertArrayEquals(new float[] {0.0625f, 0.1875f, 1f / 6}, out.get(1).weights(), 1e-7f);
    assertArrayEquals(a.visionTargets(), out.get(0).visionTargets(), "masks are kept");

    // With per-target losses l, sum w' l = 0.5 (vision mean) + 0.5 (text mean), each mean weighted by w.
    double[][] l = {{2.0, 3.0, 7.0, 5.0}, {1.0, 4.0, 6.0}};
    double visionMean = (2 * 3.0 + 0 * 7.0 + 0.5 * 1.0 + 1.5 * 4.0) / 4;
    double textMean = (1 * 2.0 + 1 * 5.0 + 1 * 6.0) / 3;
    double sum = 0;
    for (int s = 0; s < 2; s++) {
      for (int i = 0; i < l[s].length; i++) {
        sum += out.get(s).weights()[i] * l[s][i];
      }
    }
    assertEquals(0.5 * visionMean + 0.5 * textMean, sum, 1e-6);

    // Another share: 0.8 vision.
    List<TrainingSequence> skewed = BatchWeights.visionTextAverage(List.of(a, b), 0.8);
    assertEquals(0.8 * 2 / 4, skewed.get(0).weights()[1], 1e-7);
    assertEquals(0.2 * 1 / 3, skewed.get(1).weights()[2], 1e-7);
    // The weights sum to 1, so the trainers' normalise keeps them (up to float rounding).
    List<TrainingSequence> again = BatchWeights.normalise(out);
    assertArrayEquals(out.get(0).weights(), again.get(0).weights(), 1e-7f);
  }

  @Test
  void aBatchWithOneKindIsWeightedAsNormaliseWeighsIt() {
    TrainingSequence text = seq(new float[] {1, 3, 0, 2}, null);
    TrainingSequence alsoText = seq(new float[] {0.5f, 0.25f}, new boolean[] {false, false});
    List<TrainingSequence> batch = List.of(text, alsoText);
    List<TrainingSequence> avg = BatchWeights.visionTextAverage(batch, 0.5);
    List<TrainingSequence> norm = BatchWeights.normalise(batch);
    for (int s = 0; s < 2; s++) {
      assertArrayEquals(norm.get(s).weights(), avg.get(s).weights(), 0f, "bit for bit");
    }
    TrainingSequence vision = seq(new float[] {2, 0, 2}, new boolean[] {true, true, true});
    assertArrayEquals(new float[] {0.5f, 0, 0.5f}, BatchWeights.visionTextAverage(List.of(vision), 0.3).get(0).weights(), 0f);
    assertThrows(BadInputException.class, () -> BatchWeights.visionTextAverage(List.of(seq(new float[2], null)), 0.5));
    assertThrows(BadInputException.class, () -> BatchWeights.visionTextAverage(batch, 1.5));
  }
}

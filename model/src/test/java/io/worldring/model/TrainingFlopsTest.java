package io.worldring.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.worldring.model.attention.TokenBlock;
import org.junit.jupiter.api.Test;

class TrainingFlopsTest {
  @Test
  void attendedPairsCountTheCausalTriangleOfEverySegment() {
    // one segment of 8 tokens split over two blocks: 8*9/2 = 36 pairs in all
    TokenBlock a = TokenBlock.contiguous(0, 4);
    TokenBlock b = TokenBlock.contiguous(4, 4);
    TokenBlock[] all = {a, b};
    assertEquals(1 + 2 + 3 + 4, TrainingFlops.attendedPairs(a, all));
    assertEquals(5 + 6 + 7 + 8, TrainingFlops.attendedPairs(b, all));
    // two packed examples of 3 and 5 tokens: 6 + 15 pairs, counted by brute force below
    TokenBlock packed = new TokenBlock(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, new int[] {0, 0, 0, 1, 1, 1, 1, 1});
    long brute = 0;
    for (int q = 0; q < 8; q++) {
      for (int k = 0; k <= q; k++) {
        brute += packed.segments()[q] == packed.segments()[k] ? 1 : 0;
      }
    }
    assertEquals(brute, TrainingFlops.attendedPairs(packed, new TokenBlock[] {packed}));
    assertEquals(21, brute);
  }

  @Test
  void trainingFlopsAreSixPerParameterPerTokenPlusAttention() {
    ModelConfig c = ModelConfig.preset("tiny");
    double params = c.nLayers() * (2.0 * c.dim() * c.dim() + 2.0 * c.dim() * c.kvDim() + 3.0 * c.dim() * c.hiddenDim())
        + (double) c.vocabSize() * c.dim();
    assertEquals(6 * params * 10, TrainingFlops.training(c, 10, 0), 1e-6);
    assertEquals(12.0 * c.nLayers() * c.dim(), TrainingFlops.training(c, 0, 1), 1e-6); // nHeads * headDim = dim
  }
}

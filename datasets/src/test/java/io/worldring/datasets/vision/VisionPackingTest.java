package io.worldring.datasets.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldring.datasets.ByteTokenizer;
import io.worldring.datasets.source.LossWeighting;
import io.worldring.model.BadInputException;
import io.worldring.model.train.TrainingSequence;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Packing vision examples: masks follow the tokens, weights per example or per token, long examples dropped and counted. */
class VisionPackingTest {
  static final ByteTokenizer TEXT = new ByteTokenizer();
  static final PatchColourTokenizer VISION = new PatchColourTokenizer(8, 2, 2); // 4 codes per frame, codebook 8
  static final VisionVocabulary VOCAB = VisionVocabulary.of(VISION);

  /** Example k: a caption pair of (k % 3) + 1 frames, captioning when k is even, generation when odd. */
  static final class Counting implements VisionExampleSource {
    private final int longEvery; // every such example is made too long for any sequence here (0: none)
    private long made;

    Counting(int longEvery) {
      this.longEvery = longEvery;
    }

    @Override
    public VisionExample next() {
      long k = made++;
      int frames = longEvery > 0 && k % longEvery == longEvery - 1 ? 40 : (int) (k % 3) + 1;
      int[][] codes = new int[frames][4];
      for (int f = 0; f < frames; f++) {
        for (int c = 0; c < 4; c++) {
          codes[f][c] = (int) ((k + f + c) % VOCAB.codebookSize());
        }
      }
      ModalityOrder order = k % 2 == 0 ? ModalityOrder.VISION_FIRST : ModalityOrder.TEXT_FIRST;
      return new CaptionFormat(TEXT, VOCAB).format("ex" + k, new FrameCodes(codes), "cap " + k, order);
    }

    @Override
    public JsonNode state() {
      return SourceStates.object().put("made", made);
    }

    @Override
    public void restore(JsonNode state) {
      made = SourceStates.getLong(state, "made", "counting");
    }
  }

  @Test
  void masksFollowTheTokensAndWeightsFollowTheLossKinds() {
    Counting reference = new Counting(0);
    VisionPackedStream stream = new VisionPackedStream(new Counting(0), 96, TEXT.pad(), LossWeighting.PER_EXAMPLE);
    for (int n = 0; n < 20; n++) {
      TrainingSequence s = stream.next();
      int at = 0;
      int segment = 0;
      while (at < s.length() && s.positions()[at] == 0 && s.tokens()[at] == TEXT.bos()) {
        VisionExample e = reference.next();
        float w = 1f / (e.lossTokens(LossKind.VISION) + e.lossTokens(LossKind.TEXT));
        for (int i = 0; i < e.length() - 1; i++, at++) {
          String where = e.id() + " token " + i;
          assertEquals(e.tokens()[i], s.tokens()[at], where);
          assertEquals(e.tokens()[i + 1], s.targets()[at], where);
          assertEquals(e.vision()[i], s.visionInput(at), where);
          assertEquals(e.vision()[i + 1], s.visionTarget(at), where);
          assertEquals(e.lossKind(i + 1) == LossKind.NONE ? 0f : w, s.weights()[at], 1e-7f, where);
          assertEquals(i, s.positions()[at], where);
          assertEquals(segment, s.segments()[at], where);
        }
        segment++;
      }
      assertTrue(segment > 0, "sequence " + n + " holds no example");
      for (; at < s.length(); at++) { // padding: text, its own segment, no loss
        assertEquals(TEXT.pad(), s.tokens()[at]);
        assertEquals(segment, s.segments()[at]);
        assertEquals(0f, s.weights()[at]);
        assertTrue(!s.visionInput(at) && !s.visionTarget(at));
      }
    }
  }

  @Test
  void perTokenWeighsEveryLossTokenOne() {
    VisionPackedStream a = new VisionPackedStream(new Counting(0), 80, TEXT.pad(), LossWeighting.PER_EXAMPLE);
    VisionPackedStream b = new VisionPackedStream(new Counting(0), 80, TEXT.pad(), LossWeighting.PER_TOKEN);
    for (int n = 0; n < 10; n++) {
      TrainingSequence x = a.next();
      TrainingSequence y = b.next();
      assertArrayEquals(x.tokens(), y.tokens(), "the weighting does not change the packing");
      for (int i = 0; i < x.length(); i++) {
        assertEquals(x.weights()[i] > 0 ? 1f : 0f, y.weights()[i]);
      }
    }
  }

  @Test
  void tooLongExamplesAreDroppedCountedAndResumed() {
    VisionPackedStream s = new VisionPackedStream(new Counting(5), 100, TEXT.pad(), LossWeighting.PER_EXAMPLE);
    for (int n = 0; n < 6; n++) {
      s.next();
    }
    JsonNode state = s.state();
    long dropped = s.dropped();
    assertTrue(dropped > 0, "every fifth example is 40 frames, more than 100 tokens");
    VisionPackedStream t = new VisionPackedStream(new Counting(5), 100, TEXT.pad(), LossWeighting.PER_EXAMPLE);
    t.restore(state);
    assertEquals(dropped, t.dropped());
    for (int n = 0; n < 6; n++) {
      TrainingSequence x = s.next();
      TrainingSequence y = t.next();
      assertArrayEquals(x.tokens(), y.tokens());
      assertArrayEquals(x.visionInputs(), y.visionInputs());
      for (int i = 0; i < x.length(); i++) {
        assertTrue(y.tokens()[i] < (y.visionInput(i) ? VOCAB.size() : TEXT.vocabSize()));
      }
    }
    assertEquals(s.dropped(), t.dropped());
    VisionPackedStream never = new VisionPackedStream(new Counting(1), 100, TEXT.pad(), LossWeighting.PER_EXAMPLE);
    BadInputException e = assertThrows(BadInputException.class, never::next);
    assertTrue(e.getMessage().contains("in a row are longer than a sequence of 100 tokens"), e.getMessage());
  }

  @Test
  void weightedSourceDrawsByWeightAndRefusesAnotherMix() {
    WeightedVisionSource mix = new WeightedVisionSource(List.of("a", "b"), List.of(new Counting(0), new Counting(0)),
        new double[] {3, 1}, 7);
    for (int i = 0; i < 4000; i++) {
      mix.next();
    }
    assertEquals(0.75, mix.taken()[0] / 4000.0, 0.03, "share of source a");
    WeightedVisionSource other = new WeightedVisionSource(List.of("a", "c"), List.of(new Counting(0), new Counting(0)),
        new double[] {3, 1}, 7);
    BadInputException e = assertThrows(BadInputException.class, () -> other.restore(mix.state()));
    assertTrue(e.getMessage().startsWith("the vision state is for example kinds [a, b] but this stage has [a, c]"), e.getMessage());
  }
}

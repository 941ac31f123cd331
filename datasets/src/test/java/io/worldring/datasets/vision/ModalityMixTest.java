package io.worldring.datasets.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldring.datasets.ByteTokenizer;
import io.worldring.datasets.ChatTemplate;
import io.worldring.datasets.Example;
import io.worldring.datasets.source.ShuffledExamples;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The modality-order swap and the pure-text mix: seeded by example index, resumable, at the rates asked. */
class ModalityMixTest {
  static final ByteTokenizer TEXT = new ByteTokenizer();
  static final PatchColourTokenizer VISION = new PatchColourTokenizer(8, 2, 2);
  static final CaptionFormat FORMAT = new CaptionFormat(TEXT, VisionVocabulary.of(VISION));

  static List<CaptionedVision> pairs(int n) {
    List<CaptionedVision> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      FrameCodes codes = FrameCodes.encode(VISION, List.of(Frame.filled(8, i * 0x222222)));
      out.add(new CaptionedVision("pair" + i, codes, "caption " + i));
    }
    return out;
  }

  @Test
  void theSwapDependsOnlyOnSeedAndIndexAndBothOrdersOccur() {
    ModalitySwap a = ModalitySwap.even(11);
    ModalitySwap b = ModalitySwap.even(11);
    int textFirst = 0;
    int n = 4000;
    for (int i = n - 1; i >= 0; i--) { // any visiting order gives the same answer
      assertEquals(a.order(i), b.order(i));
      textFirst += a.order(i) == ModalityOrder.TEXT_FIRST ? 1 : 0;
    }
    assertEquals(0.5, textFirst / (double) n, 0.03, "text-first share");
    int differ = 0;
    for (int i = 0; i < 200; i++) {
      differ += ModalitySwap.even(11).order(i) != ModalitySwap.even(12).order(i) ? 1 : 0;
    }
    assertTrue(differ > 50, "another seed, other orders: " + differ + " of 200 differ");
    for (int i = 0; i < 100; i++) {
      assertEquals(ModalityOrder.VISION_FIRST, new ModalitySwap(3, 0).order(i));
    }
  }

  @Test
  void captionSourceUsesTheSwapAndResumes() {
    ModalitySwap swap = ModalitySwap.even(5);
    CaptionSource source = new CaptionSource(pairs(7), FORMAT, swap, 9);
    List<VisionExample> first = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      VisionExample e = source.next();
      first.add(e);
      boolean generation = e.lossTokens(LossKind.VISION) > 0;
      assertEquals(swap.order(i) == ModalityOrder.TEXT_FIRST, generation, "example " + i);
      assertEquals(!generation, e.id().contains(":to-text:"), e.id());
    }
    CaptionSource fresh = new CaptionSource(pairs(7), FORMAT, swap, 9);
    for (int i = 0; i < 30; i++) {
      assertArrayEquals(first.get(i).tokens(), fresh.next().tokens(), "same seed, same example " + i);
    }
    CaptionSource again = new CaptionSource(pairs(7), FORMAT, swap, 9);
    for (int i = 0; i < 12; i++) {
      again.next();
    }
    JsonNode state = again.state();
    CaptionSource resumed = new CaptionSource(pairs(7), FORMAT, swap, 9);
    resumed.restore(state);
    for (int i = 12; i < 30; i++) {
      VisionExample e = resumed.next();
      assertEquals(first.get(i).id(), e.id());
      assertArrayEquals(first.get(i).tokens(), e.tokens());
    }
  }

  @Test
  void pureTextFractionIsCloseToTheConfiguredOne() {
    List<Example> texts = new ArrayList<>();
    ChatTemplate chat = new ChatTemplate(TEXT);
    for (int i = 0; i < 5; i++) {
      texts.add(chat.text("t" + i, "plain text number " + i));
    }
    int n = 5000;
    for (double fraction : new double[] {TextMixedSource.LWM_TEXT_FRACTION, 0.5, 0.0}) {
      TextMixedSource mix = new TextMixedSource(new CaptionSource(pairs(3), FORMAT, ModalitySwap.even(1), 2),
          new ShuffledExamples("text", texts, 3), fraction, 4);
      int text = 0;
      for (int i = 0; i < n; i++) {
        text += mix.next().isPureText() ? 1 : 0;
      }
      assertEquals(text, mix.textExamples());
      assertEquals(fraction, text / (double) n, 0.02, "pure-text share for " + fraction);
    }
  }

  @Test
  void theMixResumesExactly() {
    List<Example> texts = List.of(new ChatTemplate(TEXT).text("a", "alpha"), new ChatTemplate(TEXT).text("b", "beta"));
    TextMixedSource one = new TextMixedSource(new CaptionSource(pairs(3), FORMAT, ModalitySwap.even(1), 2),
        new ShuffledExamples("text", texts, 3), 0.3, 4);
    for (int i = 0; i < 17; i++) {
      one.next();
    }
    JsonNode state = one.state();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      expected.add(one.next().id());
    }
    TextMixedSource two = new TextMixedSource(new CaptionSource(pairs(3), FORMAT, ModalitySwap.even(1), 2),
        new ShuffledExamples("text", texts, 3), 0.3, 4);
    two.restore(state);
    List<String> got = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      got.add(two.next().id());
    }
    assertEquals(expected, got);
  }
}

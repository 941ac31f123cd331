package io.worldring.datasets.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.datasets.ByteTokenizer;
import io.worldring.datasets.ChatTemplate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The LWM token layout: delimiters, codes + one end token per frame, the vision mask and where the loss is. */
class TokenLayoutTest {
  static final ByteTokenizer TEXT = new ByteTokenizer();
  static final PatchColourTokenizer VISION = new PatchColourTokenizer(16, 4, 3); // 16 codes per frame, codebook 27
  static final VisionVocabulary VOCAB = VisionVocabulary.of(VISION);

  static List<Frame> frames(int n) {
    List<Frame> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Frame.filled(16, (i * 0x3F1D07) & 0xFFFFFF));
    }
    return out;
  }

  /** Where the span starts (after "<vision>") and the checks every span must pass. */
  static void assertSpan(VisionExample e, int spanStart, FrameCodes codes) {
    int cpf = codes.codesPerFrame();
    int open = spanStart - VisionSequenceBuilder.VISION_START.length();
    assertEquals(VisionSequenceBuilder.VISION_START, TEXT.decode(Arrays.copyOfRange(e.tokens(), open, spanStart)));
    int end = spanStart + codes.frames() * (cpf + 1);
    assertEquals(VisionSequenceBuilder.VISION_END, TEXT.decode(Arrays.copyOfRange(e.tokens(), end, end + VisionSequenceBuilder.VISION_END.length())));
    for (int i = 0; i < e.length(); i++) {
      assertEquals(i >= spanStart && i < end, e.vision()[i], "vision mask at " + i);
    }
    for (int f = 0; f < codes.frames(); f++) {
      int at = spanStart + f * (cpf + 1);
      assertArrayEquals(codes.codes()[f], Arrays.copyOfRange(e.tokens(), at, at + cpf), "codes of frame " + f);
      int endToken = e.tokens()[at + cpf];
      assertEquals(f == codes.frames() - 1 ? VOCAB.eov() : VOCAB.eof(), endToken, "end token of frame " + f);
    }
  }

  @Test
  void eachFrameIsItsCodesAndOneEndToken() {
    for (int n : new int[] {1, 2, 5}) {
      FrameCodes codes = FrameCodes.encode(VISION, frames(n));
      VisionExample e = new CaptionFormat(TEXT, VOCAB).format("t", codes, "shapes", ModalityOrder.VISION_FIRST);
      assertEquals(n * 17, e.visionTokens(), "codesPerFrame + 1 per frame");
      assertEquals(1 + 8 + n * 17 + 9 + 6 + 1, e.length());
      assertEquals(TEXT.bos(), e.tokens()[0]);
      assertEquals(TEXT.eos(), e.tokens()[e.length() - 1]);
      assertSpan(e, 1 + 8, codes);
      long eofs = countVision(e, VOCAB.eof());
      long eovs = countVision(e, VOCAB.eov());
      assertEquals(n - 1, eofs);
      assertEquals(1, eovs);
    }
    assertEquals(27, VOCAB.eof());
    assertEquals(28, VOCAB.eov());
    assertEquals(29, VOCAB.size());
  }

  static long countVision(VisionExample e, int id) {
    long n = 0;
    for (int i = 0; i < e.length(); i++) {
      n += e.vision()[i] && e.tokens()[i] == id ? 1 : 0;
    }
    return n;
  }

  @Test
  void captioningHasTextLossAndGenerationHasVisionLoss() {
    FrameCodes codes = FrameCodes.encode(VISION, frames(3));
    CaptionFormat format = new CaptionFormat(TEXT, VOCAB);
    VisionExample toText = format.format("a", codes, "caption", ModalityOrder.VISION_FIRST);
    assertEquals(0, toText.lossTokens(LossKind.VISION));
    assertEquals(7 + 1, toText.lossTokens(LossKind.TEXT), "the caption and EOS");
    int captionAt = 1 + 8 + 3 * 17 + 9;
    assertEquals("caption", TEXT.decode(Arrays.copyOfRange(toText.tokens(), captionAt, captionAt + 7)));
    for (int i = 0; i < toText.length(); i++) {
      assertEquals(i >= captionAt, toText.loss()[i], "loss at " + i);
    }

    VisionExample toVision = format.format("b", codes, "caption", ModalityOrder.TEXT_FIRST);
    assertSpan(toVision, 1 + 7 + 8, codes);
    assertEquals(3 * 17, toVision.lossTokens(LossKind.VISION));
    assertEquals(8 + 9 + 1, toVision.lossTokens(LossKind.TEXT), "the delimiters and EOS are text targets");
    for (int i = 0; i < toVision.length(); i++) {
      assertEquals(i >= 1 + 7, toVision.loss()[i], "loss at " + i);
    }
    assertEquals(LossKind.NONE, toVision.lossKind(0));
  }

  @Test
  void videoQaHasLossOnTheAnswerOnly() {
    FrameCodes codes = FrameCodes.encode(VISION, frames(4));
    VideoQaFormat qa = new VideoQaFormat(TEXT, VOCAB);
    VisionExample e = qa.format("q", codes, "What colour?", "red");
    String head = ChatTemplate.SYSTEM + " USER: What colour?\n";
    assertEquals(head, TEXT.decode(Arrays.copyOfRange(e.tokens(), 1, 1 + head.length())));
    assertSpan(e, 1 + head.length() + 8, codes);
    StringBuilder lossText = new StringBuilder();
    for (int i = 0; i < e.length(); i++) {
      if (e.loss()[i] && e.tokens()[i] < 256) {
        lossText.append((char) e.tokens()[i]);
      }
    }
    assertEquals(" red", lossText.toString());
    assertEquals(4 + 1, e.lossTokens(LossKind.TEXT), "' red' and EOS");
    assertEquals(0, e.lossTokens(LossKind.VISION));
    VisionExample prompt = qa.prompt(codes, "What colour?");
    assertTrue(TEXT.decode(prompt.tokens()).endsWith("</vision> ASSISTANT:"));
    assertArrayEquals(Arrays.copyOf(e.tokens(), prompt.length()), prompt.tokens(), "the prompt is the example up to the answer");
    assertArrayEquals(Arrays.copyOf(e.vision(), prompt.length()), prompt.vision());
  }

  @Test
  void generationPromptsEndInTheVisionDelimiter() {
    CaptionFormat format = new CaptionFormat(TEXT, VOCAB);
    VisionExample p = format.generationPrompt("a red square");
    assertEquals(TEXT.bos(), p.tokens()[0]);
    assertEquals("a red square<vision>", TEXT.decode(p.tokens()));
    assertEquals("<vision>", TEXT.decode(format.unconditionalPrompt().tokens()));
    assertEquals(1 + 8, format.unconditionalPrompt().length());
  }

  @Test
  void lossWeightsAverageEachKindSeparately() {
    FrameCodes codes = FrameCodes.encode(VISION, frames(2));
    VisionExample e = new CaptionFormat(TEXT, VOCAB).format("b", codes, "caption", ModalityOrder.TEXT_FIRST);
    LossKind[] kinds = e.lossKinds();
    float[] w = VisionLossWeights.LWM.perTarget(kinds);
    double vision = 0;
    double text = 0;
    for (int i = 0; i < kinds.length; i++) {
      vision += kinds[i] == LossKind.VISION ? w[i] : 0;
      text += kinds[i] == LossKind.TEXT ? w[i] : 0;
      assertEquals(kinds[i] == LossKind.NONE, w[i] == 0f);
    }
    assertEquals(0.5, vision, 1e-6);
    assertEquals(0.5, text, 1e-6);
    VisionLossWeights weights = new VisionLossWeights(0.7, 0.3);
    assertEquals(0.7 * 2 + 0.3 * 4, weights.combine(20, 10, 8, 2), 1e-12);
    assertEquals(0.3 * 4, weights.combine(0, 0, 8, 2), 1e-12, "no vision targets: that term is 0");
  }

  @Test
  void codesOutsideTheCodebookAreRefused() {
    FrameCodes bad = new FrameCodes(new int[][] {{0, 27}});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new VisionSequenceBuilder(TEXT, VOCAB).vision(bad, true));
    assertTrue(e.getMessage().contains("27"), e.getMessage());
    assertThrows(io.worldring.model.BadInputException.class, () -> FrameCodes.encode(VISION, List.of(Frame.filled(8, 0))));
  }

  @Test
  void textExamplesKeepTheirTokensOnTheTextTable() {
    io.worldring.datasets.Example text = new ChatTemplate(TEXT).text("doc", "hello");
    VisionExample v = VisionExample.ofText(text);
    assertTrue(v.isPureText());
    assertArrayEquals(text.tokens(), v.tokens());
    assertEquals(text.lossTokens(), v.lossTokens(LossKind.TEXT));
    assertFalse(v.vision()[3]);
  }
}

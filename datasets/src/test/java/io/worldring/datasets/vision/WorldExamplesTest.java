package io.worldring.datasets.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldring.datasets.ByteTokenizer;
import io.worldring.datasets.vision.world.WorldCaptionSource;
import io.worldring.datasets.vision.world.QuestionType;
import io.worldring.datasets.vision.world.WorldConfig;
import io.worldring.datasets.vision.world.WorldQaSource;
import io.worldring.datasets.vision.world.WorldQuestion;
import io.worldring.model.BadInputException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** World videos as training examples: QA with the loss on the answer, captions both ways, resumable. */
class WorldExamplesTest {
  static final ByteTokenizer TEXT = new ByteTokenizer();
  static final VisionTokenizer VISION = new PatchColourTokenizer(32, 4, 3); // 16 codes per frame, as the tiny presets
  static final VisionVocabulary VOCAB = VisionVocabulary.of(VISION);

  static String answerText(VisionExample e) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < e.length(); i++) {
      if (e.lossKind(i) == LossKind.TEXT && e.tokens()[i] < 256) {
        s.append((char) e.tokens()[i]);
      }
    }
    return s.toString();
  }

  @Test
  void videoQaExamplesAskAboutTheWholeVideoAndTeachOnlyTheAnswer() {
    WorldConfig config = WorldConfig.tiny();
    WorldQaSource source = new WorldQaSource(config, VISION, new VideoQaFormat(TEXT, VOCAB), 5, 7);
    for (int i = 0; i < 10; i++) {
      VisionExample e = source.next();
      WorldQuestion q = source.lastQuestion();
      assertEquals(config.frames() * (VISION.codesPerFrame() + 1), e.visionTokens(), "every frame, codes + end token");
      assertEquals(" " + q.answer(), answerText(e), e.id());
      assertEquals(0, e.lossTokens(LossKind.VISION));
      assertTrue(TEXT.decode(e.tokens()).contains(q.question()), e.id());
      assertTrue(e.id().startsWith("world-qa:" + i / 5 + ":"), e.id());
    }
  }

  @Test
  void videoQaResumesExactly() {
    WorldQaSource one = new WorldQaSource(WorldConfig.tiny(), VISION, new VideoQaFormat(TEXT, VOCAB), 3, 1);
    for (int i = 0; i < 4; i++) {
      one.next();
    }
    JsonNode state = one.state();
    List<VisionExample> expected = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      expected.add(one.next());
    }
    WorldQaSource two = new WorldQaSource(WorldConfig.tiny(), VISION, new VideoQaFormat(TEXT, VOCAB), 3, 1);
    two.restore(state);
    for (VisionExample e : expected) {
      VisionExample f = two.next();
      assertEquals(e.id(), f.id());
      assertArrayEquals(e.tokens(), f.tokens());
    }
  }

  @Test
  void aVideoWithFewerQuestionsThanAskedForGivesWayToTheNext() {
    WorldQaSource source = new WorldQaSource(WorldConfig.tiny(), VISION, new VideoQaFormat(TEXT, VOCAB), 4,
        List.of(QuestionType.FIRST_COLOUR), 3);
    for (int i = 0; i < 6; i++) {
      assertEquals("world-qa:" + i + ":0:FIRST_COLOUR", source.next().id(), "one first-colour question per video");
    }
    WorldQaSource both = new WorldQaSource(WorldConfig.tiny(), VISION, new VideoQaFormat(TEXT, VOCAB), 4,
        List.of(QuestionType.FIRST_COLOUR, QuestionType.LAST_COLOUR), 3);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      VisionExample e = both.next();
      assertTrue(e.id().startsWith("world-qa:" + i / 2 + ":" + i % 2 + ":"), e.id());
      assertTrue(seen.add(i / 2 + " " + both.lastQuestion().question()), "asked twice about video " + i / 2 + ": " + e.id());
    }
  }

  @Test
  void videoQaResumesFromAStateOfEarlierVersions() {
    WorldQaSource source = new WorldQaSource(WorldConfig.tiny(), VISION, new VideoQaFormat(TEXT, VOCAB), 3, 1);
    source.restore(SourceStates.object().put("made", 4));
    assertTrue(source.next().id().startsWith("world-qa:1:1:"), "4 examples made at 3 per video: video 1, its second question");
    BadInputException e = assertThrows(BadInputException.class,
        () -> source.restore(SourceStates.object().put("video", 2).put("asked", 9)));
    assertTrue(e.getMessage().contains("asked 9"), e.getMessage());
  }

  @Test
  void captionExamplesGoBothWays() {
    WorldConfig clip = WorldConfig.tiny().withFrames(8);
    CaptionFormat format = new CaptionFormat(TEXT, VOCAB);
    ModalitySwap swap = ModalitySwap.even(3);
    WorldCaptionSource videos = new WorldCaptionSource(clip, VISION, format, swap, false, 5);
    WorldCaptionSource stills = new WorldCaptionSource(clip, VISION, format, swap, true, 5);
    int generation = 0;
    for (int i = 0; i < 20; i++) {
      VisionExample v = videos.next();
      VisionExample s = stills.next();
      assertEquals(8 * 17, v.visionTokens());
      assertEquals(17, s.visionTokens(), "a still is one frame");
      boolean toVision = v.lossTokens(LossKind.VISION) > 0;
      assertEquals(toVision, s.lossTokens(LossKind.VISION) > 0, "the same swap for the same index");
      assertTrue(TEXT.decode(v.tokens()).contains(" appears at frame 0,"), "a video caption");
      generation += toVision ? 1 : 0;
    }
    assertTrue(generation > 3 && generation < 17, "both orders occur: " + generation + " of 20 generate vision");
  }

  @Test
  void aTokenizerOfAnotherFrameSizeIsRefused() {
    VisionTokenizer big = new PatchColourTokenizer(64, 4, 2);
    BadInputException e = assertThrows(BadInputException.class,
        () -> new WorldQaSource(WorldConfig.tiny(), big, new VideoQaFormat(TEXT, VisionVocabulary.of(big)), 1, 1));
    assertTrue(e.getMessage().contains("32") && e.getMessage().contains("64"), e.getMessage());
  }

  @Test
  void aLongVideoIsRenderedAndEncodedQuickly() {
    long t0 = System.nanoTime();
    WorldQaSource source = new WorldQaSource(WorldConfig.small(), VISION, new VideoQaFormat(TEXT, VOCAB), 8, 2);
    VisionExample e = source.next();
    double ms = (System.nanoTime() - t0) / 1e6;
    System.out.printf("world: 512-frame video generated, rendered and encoded in %.0f ms: %d tokens%n", ms, e.length());
    assertEquals(512 * 17, e.visionTokens());
  }
}

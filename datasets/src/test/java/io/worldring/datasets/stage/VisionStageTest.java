package io.worldring.datasets.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.worldring.config.HoconRecords;
import io.worldring.datasets.Tokenizer;
import io.worldring.datasets.Tokenizers;
import io.worldring.datasets.source.LossWeighting;
import io.worldring.datasets.source.SequenceStream;
import io.worldring.datasets.vision.CodecTokenizer;
import io.worldring.datasets.vision.VisionSequenceBuilder;
import io.worldring.datasets.vision.world.QuestionType;
import io.worldring.model.BadInputException;
import io.worldring.model.train.TrainingSequence;
import io.worldring.model.vision.PatchCodebook;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A vision stage's stream: every packed example laid out as LWM's format says with masks that match,
 * segments that never meet, per-example or per-token loss weights, the pure-text share asked for, resumable
 * and seeded; and a text stage exactly as before.
 */
class VisionStageTest {
  static final Tokenizer TEXT = Tokenizers.load("bytes");
  static final VisionMix ALL_KINDS = new VisionMix("", 32, 16, 256, "tiny", -1, 0.5, 0.3, 0.2, 0.2, 0.5, 3, java.util.List.of());
  static final DataMix VISION = new DataMix("bytes", "", -1, 0, "", 0, "", 1000, 0, 0, LossWeighting.PER_EXAMPLE, "fail", ALL_KINDS);
  static final int SEQ = 320;

  static void assertSame(TrainingSequence a, TrainingSequence b, String what) {
    StageDataTest.assertSame(a, b, what);
    assertArrayEquals(a.visionInputs(), b.visionInputs(), what);
    assertArrayEquals(a.visionTargets(), b.visionTargets(), what);
  }

  static int[] ids(String s) {
    return TEXT.encode(s);
  }

  static boolean textAt(int[] tokens, boolean[] vision, int at, int[] expected) {
    if (at < 0 || at + expected.length > tokens.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if (vision[at + i] || tokens[at + i] != expected[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * One packed example (inputs and the last target) against LWM's layout: BOS first, EOS last; every vision
   * run is {@code <vision>}, frames of codes each ended by {@code <eof>} and the last by {@code <eov>},
   * {@code </vision>}; vision ids in the vision table, text ids in the text vocabulary.
   */
  static void checkLayout(int[] tokens, boolean[] vision, int codesPerFrame, int codebookSize, String where) {
    assertEquals(TEXT.bos(), tokens[0], where + ": starts with BOS");
    assertEquals(TEXT.eos(), tokens[tokens.length - 1], where + ": ends with EOS");
    int eof = codebookSize;
    int eov = codebookSize + 1;
    int i = 0;
    int runs = 0;
    while (i < tokens.length) {
      if (!vision[i]) {
        assertTrue(tokens[i] >= 0 && tokens[i] < TEXT.vocabSize(), where + ": text id " + tokens[i] + " at " + i);
        i++;
        continue;
      }
      int start = i;
      while (i < tokens.length && vision[i]) {
        i++;
      }
      int[] open = ids(VisionSequenceBuilder.VISION_START);
      assertTrue(textAt(tokens, vision, start - open.length, open), where + ": <vision> before the span at " + start);
      assertTrue(textAt(tokens, vision, i, ids(VisionSequenceBuilder.VISION_END)), where + ": </vision> after the span ending " + i);
      int length = i - start;
      assertEquals(0, length % (codesPerFrame + 1), where + ": a span of whole frames, " + length + " tokens");
      for (int j = start; j < i; j++) {
        int k = (j - start) % (codesPerFrame + 1);
        int expectedEnd = j == i - 1 ? eov : eof;
        if (k == codesPerFrame) {
          assertEquals(expectedEnd, tokens[j], where + ": frame end at " + j);
        } else {
          assertTrue(tokens[j] >= 0 && tokens[j] < codebookSize, where + ": code " + tokens[j] + " at " + j);
        }
      }
      runs++;
    }
    assertEquals(1, runs, where + ": one vision span per example");
  }

  @Test
  void everySequenceIsLaidOutAsTheExamplesSay() {
    int vocab = StageData.visionVocab(VISION);
    assertEquals(258, vocab);
    SequenceStream stream = StageData.open(VISION, SEQ, 3);
    int examples = 0;
    int qa = 0;
    int generation = 0;
    for (int n = 0; n < 80; n++) {
      TrainingSequence s = stream.next();
      if (!s.hasVision()) { // a pure-text window of a book, one segment, weighing as one example
        assertNull(s.visionInputs());
        assertNull(s.segments());
        for (float w : s.weights()) {
          assertEquals(1f / SEQ, w, 1e-9f);
        }
        continue;
      }
      int at = 0;
      int segment = 0;
      while (at < SEQ && s.tokens()[at] != TEXT.pad()) {
        int from = at;
        while (at < SEQ && s.segments()[at] == segment) {
          assertEquals(at - from, s.positions()[at], "positions restart per example");
          if (at > from) {
            assertEquals(s.visionTarget(at - 1), s.visionInput(at), "target t's kind is token t+1's");
            assertEquals(s.targets()[at - 1], s.tokens()[at], "target t is token t+1");
          }
          assertTrue(s.tokens()[at] < (s.visionInput(at) ? vocab : TEXT.vocabSize()), "ids in their table");
          assertTrue(s.targets()[at] < (s.visionTarget(at) ? vocab : TEXT.vocabSize()), "targets in their head");
          at++;
        }
        int[] tokens = Arrays.copyOf(Arrays.copyOfRange(s.tokens(), from, at), at - from + 1);
        tokens[at - from] = s.targets()[at - 1];
        boolean[] vision = Arrays.copyOf(Arrays.copyOfRange(s.visionInputs(), from, at), at - from + 1);
        vision[at - from] = s.visionTarget(at - 1);
        String where = "sequence " + n + " segment " + segment;
        checkLayout(tokens, vision, 16, 256, where);
        double total = 0;
        boolean visionLoss = false;
        for (int i = from; i < at; i++) {
          total += s.weights()[i];
          visionLoss |= s.weights()[i] > 0 && s.visionTarget(i);
        }
        assertEquals(1.0, total, 1e-4, where + ": per-example weights sum to 1");
        String text = TEXT.decode(Arrays.stream(tokens).filter(t -> t < 256).toArray());
        if (text.contains(" ASSISTANT:")) {
          qa++;
          assertFalse(visionLoss, where + ": QA teaches the answer only");
        }
        if (visionLoss) {
          generation++;
          assertTrue(text.indexOf('<') > 1, where + ": generation puts the caption before the vision");
        }
        segment++;
        examples++;
      }
      for (; at < SEQ; at++) {
        assertEquals(segment, s.segments()[at], "padding is its own segment");
        assertEquals(0f, s.weights()[at]);
        assertFalse(s.visionInput(at) || s.visionTarget(at));
      }
    }
    assertTrue(examples > 50 && qa > 10 && generation > 5, examples + " examples, " + qa + " QA, " + generation + " generation");
  }

  @Test
  void perTokenWeightingWeighsLossTokensOneAndPacksTheSame() {
    SequenceStream a = StageData.open(VISION, SEQ, 4);
    SequenceStream b = StageData.open(VISION.withVision(ALL_KINDS), SEQ, 4);
    SequenceStream c = StageData.open(new DataMix("bytes", "", -1, 0, "", 0, "", 1000, 0, 0, LossWeighting.PER_TOKEN, "fail", ALL_KINDS),
        SEQ, 4);
    for (int n = 0; n < 12; n++) {
      TrainingSequence x = a.next();
      assertSame(x, b.next(), "the same mix, sequence " + n);
      TrainingSequence y = c.next();
      assertArrayEquals(x.tokens(), y.tokens());
      for (int i = 0; i < SEQ; i++) {
        assertEquals(x.weights()[i] > 0 ? 1f : 0f, y.weights()[i], "per-token weight at " + i);
      }
    }
  }

  @Test
  void pureTextSequencesTakeTheTextFraction() {
    VisionMix stills = new VisionMix("", 32, 16, 256, "tiny", -1, 0, 1, 0, 0.25, 0.5, 4, java.util.List.of());
    SequenceStream s = StageData.open(VISION.withVision(stills), 256, 9);
    int n = 400;
    int text = 0;
    for (int i = 0; i < n; i++) {
      text += s.next().hasVision() ? 0 : 1;
    }
    assertEquals(0.25, text / (double) n, 0.06, "pure-text share");
  }

  @Test
  void resumesFromItsStateAndTheSeedDecides() throws Exception {
    SequenceStream first = StageData.open(VISION, SEQ, 5);
    for (int i = 0; i < 9; i++) {
      first.next();
    }
    JsonNode state = new ObjectMapper().readTree(first.state().toString());
    SequenceStream second = StageData.open(VISION, SEQ, 5);
    second.restore(state);
    SequenceStream same = StageData.open(VISION, SEQ, 5);
    SequenceStream other = StageData.open(VISION, SEQ, 6);
    boolean differs = false;
    for (int i = 0; i < 8; i++) {
      assertSame(first.next(), second.next(), "resumed, sequence " + (9 + i));
      TrainingSequence x = same.next();
      differs |= !Arrays.equals(x.tokens(), other.next().tokens());
    }
    assertTrue(differs, "seeds 5 and 6 gave the same sequences");
    SequenceStream again = StageData.open(VISION, SEQ, 5);
    SequenceStream fresh = StageData.open(VISION, SEQ, 5);
    for (int i = 0; i < 4; i++) {
      assertSame(again.next(), fresh.next(), "same seed, sequence " + i);
    }
  }

  @Test
  void aStateFromAnotherMixIsRefused() {
    SequenceStream vision = StageData.open(VISION, SEQ, 1);
    vision.next();
    SequenceStream books = StageData.open(StageDataTest.BOOKS, SEQ, 1);
    BadInputException e = assertThrows(BadInputException.class, () -> books.restore(vision.state()));
    assertTrue(e.getMessage().startsWith("the data state is for parts [vision, vision-text] but this stage mixes [books]"), e.getMessage());
    VisionMix qaOnly = new VisionMix("", 32, 16, 256, "tiny", -1, 1, 0, 0, 0.2, 0.5, 3, java.util.List.of());
    SequenceStream other = StageData.open(VISION.withVision(qaOnly), SEQ, 1);
    e = assertThrows(BadInputException.class, () -> other.restore(vision.state()));
    assertTrue(e.getMessage().contains("the vision state is for example kinds [world-qa, world-stills, world-videos] but this stage has"
        + " [world-qa]"), e.getMessage());
  }

  @Test
  void questionTypesChooseWhatQaExamplesAsk() throws Exception {
    VisionMix firstOnly = new VisionMix("", 32, 16, 256, "tiny", 8, 1, 0, 0, 0, 0.5, 3,
        java.util.List.of(QuestionType.FIRST_COLOUR, QuestionType.LAST_COLOUR, QuestionType.FIRST_COLOUR));
    assertEquals(java.util.List.of(QuestionType.FIRST_COLOUR, QuestionType.LAST_COLOUR), firstOnly.askedTypes(), "repeats dropped");
    assertEquals(java.util.List.of(QuestionType.values()), VisionMix.NONE.askedTypes(), "none named: every kind");
    SequenceStream stream = StageData.open(VISION.withVision(firstOnly), SEQ, 1);
    java.util.Set<String> asked = new java.util.TreeSet<>();
    for (int n = 0; n < 6; n++) {
      TrainingSequence seq = stream.next();
      String text = TEXT.decode(java.util.stream.IntStream.range(0, seq.length()).filter(i -> !seq.visionInput(i)).map(i -> seq.tokens()[i]).toArray());
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("What colour was the (first|last) object to appear\\?").matcher(text);
      while (m.find()) {
        asked.add(m.group(1));
      }
      assertFalse(text.contains("How many") || text.contains("at frame"), "only the named kinds are asked: " + text);
    }
    assertEquals(java.util.Set.of("first", "last"), asked);
    String hocon = "vision {\n tokenizer = \"\"\n frame-size = 32\n codes-per-frame = 16\n codebook-size = 256\n world = tiny\n"
        + " frames = 8\n qa-weight = 1\n caption-weight = 0\n video-caption-weight = 0\n text-fraction = 0\n"
        + " loss-share = 0.5\n questions-per-video = 3\n question-types = [first-colour, last-colour, first-colour]\n}\n";
    assertEquals(firstOnly, HoconRecords.read(ConfigFactory.parseString(hocon), "vision", VisionMix.class));
    BadInputException e = assertThrows(BadInputException.class, () -> HoconRecords.read(
        ConfigFactory.parseString(hocon.replace("last-colour", "last-color")), "vision", VisionMix.class));
    assertTrue(e.getMessage().contains("'last-color' is not one of [first-colour, last-colour, appeared-colour"), e.getMessage());
  }

  @Test
  void aTextStageIsUnchanged() {
    // Digests of the first sequences and the state, taken before the vision part existed.
    assertEquals(-2165874437625435593L, TextStagesDigest.of(StageDataTest.BOOKS, 256, 5, 12));
    assertEquals(3352078648868220830L, TextStagesDigest.of(StageDataTest.CHAT, 512, 5, 12));
    assertEquals(6746443839864920530L, TextStagesDigest.of(StageDataTest.ALL, 512, 5, 30));
    assertEquals(StageDataTest.BOOKS.withVision(VisionMix.NONE), StageDataTest.BOOKS);
    assertEquals(0, StageData.visionVocab(StageDataTest.BOOKS));
    assertThrows(BadInputException.class, () -> StageData.visionTokenizer(StageDataTest.BOOKS));
    assertEquals("books (the bundled books, >= seq-len tokens) 1.0; bytes tokens, per-example loss", StageData.describe(StageDataTest.BOOKS));
  }

  @Test
  void theCodebookIsAFunctionOfTheConfigAndSharedWithTheStream() {
    long t0 = System.nanoTime();
    CodecTokenizer trained = StageVision.train(ALL_KINDS);
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(seconds < 20, "training the tiny codebook took " + seconds + " s");
    CodecTokenizer shared = StageData.visionTokenizer(VISION);
    assertEquals(256, shared.codebookSize());
    assertEquals(16, shared.codesPerFrame());
    float[] a = ((PatchCodebook) trained.codec()).centroids().data().asFloat();
    float[] b = ((PatchCodebook) shared.codec()).centroids().data().asFloat();
    assertArrayEquals(a, b, "trained again, the same codebook");
    assertTrue(((PatchCodebook) shared.codec()).training().psnr() > 20, "world frames through the codebook");
    // Another stage length or seed keeps the codebook (every vision stage of a run shares it).
    VisionMix longer = new VisionMix("", 32, 16, 256, "tiny", 20, 1, 0, 0, 0, 0.5, 8, java.util.List.of());
    assertTrue(shared == StageData.visionTokenizer(VISION.withVision(longer)));
  }

  @Test
  void framesFitTheSequence() {
    assertEquals(64, StageData.visionQaWorld(VISION, 2048).frames(), "the tiny world's whole videos fit 2K");
    int at1k = StageData.visionQaWorld(VISION, 1024).frames();
    assertTrue(at1k > 30 && at1k < 64, "frames at 1K: " + at1k);
    VisionMix tooMany = new VisionMix("", 32, 16, 256, "tiny", 64, 1, 0, 0, 0, 0.5, 4, java.util.List.of());
    BadInputException e = assertThrows(BadInputException.class, () -> StageData.open(VISION.withVision(tooMany), 1024, 1));
    assertTrue(e.getMessage().startsWith("data.vision.frames 64: qa examples of 64 frames take about")
        && e.getMessage().endsWith("; at most " + at1k + " frames fit (or use -1)"), e.getMessage());
    e = assertThrows(BadInputException.class, () -> StageData.open(VISION, 64, 1));
    assertTrue(e.getMessage().contains("too short for qa examples of even one frame"), e.getMessage());
  }

  @Test
  void framesAreSizedForTheQuestionsTheStageAsks() {
    VisionMix every = new VisionMix("", 32, 16, 256, "small", -1, 1, 0, 0, 0, 0.5, 4, java.util.List.of());
    VisionMix first = new VisionMix("", 32, 16, 256, "small", -1, 1, 0, 0, 0, 0.5, 4,
        java.util.List.of(QuestionType.FIRST_COLOUR));
    int all = StageData.visionQaWorld(VISION.withVision(every), 512).frames();
    int firstOnly = StageData.visionQaWorld(VISION.withVision(first), 512).frames();
    // The evaluation cuts its videos by the questions it asks; training must cut them the same way, or a
    // first-colour model is trained on one frame count and evaluated on another.
    assertEquals(20, all, "every type: the longest questions leave room for 20 frames in 512 tokens");
    assertEquals(22, firstOnly, "first-colour only: its one short question leaves room for 22");
  }

  @Test
  void mapsFromHoconAndTheReferenceDefaultsAreNoVision() throws Exception {
    String vision = "vision {\n tokenizer = \"\"\n frame-size = 32\n codes-per-frame = 16\n codebook-size = 256\n world = tiny\n"
        + " frames = -1\n qa-weight = 0.5\n caption-weight = 0.3\n video-caption-weight = 0.2\n text-fraction = 0.2\n"
        + " loss-share = 0.5\n questions-per-video = 3\n question-types = []\n}\n";
    String text = "data {\n tokenizer = bytes\n books = \"\"\n min-doc-tokens = -1\n books-weight = 0\n chats = \"\"\n"
        + " chat-weight = 0\n qa = \"\"\n qa-chunk-tokens = 1000\n qa-weight = 0\n needle-weight = 0\n"
        + " weighting = per-example\n bad-input = fail\n" + vision + "}\n";
    assertEquals(VISION, HoconRecords.read(ConfigFactory.parseString(text), "data", DataMix.class));
    BadInputException e = assertThrows(BadInputException.class,
        () -> HoconRecords.read(ConfigFactory.parseString(text.replace("world = tiny", "world = tiny\n frame = 3")), "data", DataMix.class));
    assertTrue(e.getMessage().contains("unknown key 'data.vision.frame'"), e.getMessage());
    e = assertThrows(BadInputException.class,
        () -> HoconRecords.read(ConfigFactory.parseString(text.replace("codes-per-frame = 16", "codes-per-frame = 15")), "data", DataMix.class));
    assertTrue(e.getMessage().contains("data.vision: frame-size 32, codes-per-frame 15"), e.getMessage());
    assertTrue(StageData.describe(VISION).startsWith("vision (tiny world, qa 0.5, still captions 0.3, video captions 0.2, frames fit to"
        + " seq-len; patch codebook 256 x 16 codes per 32px frame, 20.0% pure text from the bundled books, >= seq-len tokens;"
        + " vision loss share 0.5) 1.0"), StageData.describe(VISION));
    // The stage defaults the CLI reads: the text keys of a books stage and no vision.
    Path reference = Path.of("..", "ops", "src", "main", "resources", "reference.conf");
    assertTrue(Files.isRegularFile(reference), "the ops module's reference.conf at " + reference.toAbsolutePath());
    DataMix defaults = HoconRecords.read(ConfigFactory.parseFile(reference.toFile()).resolve(), "worldring.stage-defaults.data", DataMix.class);
    assertEquals(new DataMix("bytes", "", -1, 1.0, "", 0, "", 1000, 0, 0, LossWeighting.PER_EXAMPLE, "fail"), defaults);
  }
}

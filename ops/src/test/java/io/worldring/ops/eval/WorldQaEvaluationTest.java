package io.worldring.ops.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.datasets.ByteTokenizer;
import io.worldring.datasets.Tokenizer;
import io.worldring.datasets.source.LossWeighting;
import io.worldring.datasets.stage.DataMix;
import io.worldring.datasets.stage.StageData;
import io.worldring.datasets.stage.VisionMix;
import io.worldring.datasets.vision.CodecTokenizer;
import io.worldring.datasets.vision.FrameCodes;
import io.worldring.datasets.vision.IndexedDraw;
import io.worldring.datasets.vision.VideoQaFormat;
import io.worldring.datasets.vision.VisionVocabulary;
import io.worldring.datasets.vision.world.QuestionType;
import io.worldring.datasets.vision.world.WorldConfig;
import io.worldring.datasets.vision.world.WorldQaSource;
import io.worldring.datasets.vision.world.WorldQuestion;
import io.worldring.datasets.vision.world.WorldVideo;
import io.worldring.model.BadInputException;
import io.worldring.model.LlamaModel;
import io.worldring.model.ModelConfig;
import io.worldring.model.vision.PatchCodebook;
import io.worldring.model.vision.PatchCodebookConfig;
import io.worldring.ops.VisionFixtures;
import io.worldring.ops.eval.WorldQaEvaluation.Answer;
import io.worldring.ops.eval.WorldQaEvaluation.Inputs;
import io.worldring.ops.eval.WorldQaEvaluation.Result;
import io.worldring.ops.eval.WorldQaEvaluation.Settings;
import io.worldring.ops.eval.WorldQaEvaluation.TypeResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/**
 * World QA evaluation in process: a random tiny vision model through the real {@link ChoiceScorer} (counts,
 * chance levels, accuracy near chance), a rigged scorer that knows the answers (accuracy 1, p tiny), the
 * held-out rule, the type filter, resuming, and the inputs that do not fit.
 */
class WorldQaEvaluationTest {
  static final Tokenizer TEXT = new ByteTokenizer();
  static final int VISION_VOCAB = VisionFixtures.CODEBOOK + 2;
  /** 8 frames of the tiny world: prompts of about 250 tokens. */
  static final Settings SMALL_RUN = new Settings("tiny", 8, 12, 4, 1000, List.of(QuestionType.values()));
  /** What the random model answers: 4 frames, 8 videos, so its 32 questions take a few seconds. */
  static final Settings MODEL_RUN = new Settings("tiny", 4, 8, 4, 1000, List.of(QuestionType.values()));

  @TempDir
  static Path dir;
  static CodecTokenizer vision;
  static String tokenizerName;
  static ModelConfig config;

  @BeforeAll
  static void fixtures() {
    tokenizerName = VisionFixtures.tokenizer(dir.resolve("tok")).toString();
    vision = CodecTokenizer.load(Path.of(tokenizerName));
    config = VisionFixtures.config(VISION_VOCAB);
  }

  static Inputs inputs(ModelConfig model) {
    return new Inputs(model, "ck", vision, tokenizerName, TEXT);
  }

  static WorldQaEvaluation open(Settings s) {
    return WorldQaEvaluation.open(s, inputs(config));
  }

  /**
   * A scorer that knows the answers: it looks the prompt up among the prompts the training format makes of
   * the held-out questions (video codes included, so the same question about two videos is told apart) and
   * gives the true answer the highest score.
   */
  static WorldQaEvaluation.Scorer rigged(WorldQaEvaluation e) {
    VideoQaFormat format = new VideoQaFormat(TEXT, VisionVocabulary.of(vision));
    Map<String, String> truth = new HashMap<>();
    for (int i = 0; i < e.settings().videos(); i++) {
      WorldVideo video = e.video(i);
      FrameCodes codes = FrameCodes.encode(vision, video.render());
      for (WorldQuestion q : e.questions(video)) {
        truth.put(Arrays.toString(format.prompt(codes, q.question()).tokens()), q.answer());
      }
    }
    return (prompt, candidates) -> {
      String answer = truth.get(Arrays.toString(prompt.tokens()));
      assertTrue(answer != null, "a prompt not in the training format");
      return candidates.stream().mapToDouble(c -> c.equals(answer) ? 0 : -1).toArray();
    };
  }

  /** The control shows each question the next video's frames: exactly those prompts, and only those, are asked. */
  @Test
  void theShuffledVideoControlAsksWithTheNextVideosFrames() {
    WorldQaEvaluation e = open(SMALL_RUN.shuffled());
    VideoQaFormat format = new VideoQaFormat(TEXT, VisionVocabulary.of(vision));
    int n = e.settings().videos();
    Map<String, String> truth = new HashMap<>();
    for (int i = 0; i < n; i++) {
      FrameCodes next = FrameCodes.encode(vision, e.video((i + 1) % n).render());
      for (WorldQuestion q : e.questions(e.video(i))) {
        truth.put(Arrays.toString(format.prompt(next, q.question()).tokens()), q.answer());
      }
    }
    Result r = e.run((prompt, candidates) -> {
      String answer = truth.get(Arrays.toString(prompt.tokens()));
      assertTrue(answer != null, "a prompt with frames other than the next video's");
      return candidates.stream().mapToDouble(c -> c.equals(answer) ? 0 : -1).toArray();
    }, List.of(), a -> {});
    assertEquals(truth.size(), r.answers().size());
    assertEquals(1.0, r.overall().accuracy());
    assertBad(() -> new Settings("tiny", 8, 1, 4, 1000, List.of(QuestionType.values()), true), "--shuffle-videos needs --videos >= 2");
  }

  static void assertCountsAddUp(Result r, int expectedQuestions) {
    assertEquals(expectedQuestions, r.answers().size());
    assertEquals(r.answers().size(), r.overall().questions());
    assertEquals(r.overall().questions(), r.types().stream().mapToInt(TypeResult::questions).sum(), "questions over types");
    assertEquals(r.overall().correct(), r.types().stream().mapToInt(TypeResult::correct).sum(), "correct over types");
    assertEquals(r.overall().correct(), r.answers().stream().filter(Answer::correct).count());
    for (TypeResult t : r.types()) {
      assertEquals(t.type().chance(), t.chance(), "chance of " + t.type());
      assertEquals(1.0 / t.type().answers().size(), t.chance());
      assertTrue(t.interval().contains(t.accuracy()), t.toString());
      assertTrue(t.majority() > 0 && t.majority() <= 1, t.toString());
    }
    assertEquals(r.answers().stream().mapToDouble(a -> a.type().chance()).average().orElseThrow(), r.overall().chance(), 1e-12);
    for (Answer a : r.answers()) {
      assertTrue(a.type().answers().contains(a.predicted()), a.toString());
      assertTrue(a.type().answers().contains(a.answer()), a.toString());
      assertEquals(a.type().answers().size(), a.scores().length);
    }
  }

  @Test
  void aRandomModelScoresEveryCandidateAndStaysNearChance() {
    WorldQaEvaluation e = open(MODEL_RUN);
    assertEquals(4, e.world().frames());
    assertEquals(VisionFixtures.FRAME_SIZE, e.world().frameSize());
    LlamaModel model = VisionFixtures.model(config, 11);
    List<List<Answer>> saved = new ArrayList<>();
    Result r = e.run(WorldQaEvaluation.Scorer.of(new ChoiceScorer(model, TEXT)), List.of(), saved::add);
    assertEquals(MODEL_RUN.videos(), saved.size(), "saved after every video");
    assertCountsAddUp(r, MODEL_RUN.videos() * MODEL_RUN.questionsPerVideo());
    for (Answer a : r.answers()) {
      assertTrue(Arrays.stream(a.scores()).allMatch(s -> s < 0 && Double.isFinite(s)), "log-likelihoods: " + Arrays.toString(a.scores()));
      assertTrue(a.promptTokens() <= e.longestRead() && a.promptTokens() > 4 * (VisionFixtures.CODES_PER_FRAME + 1), a.toString());
    }
    assertTrue(r.overall().interval().contains(r.overall().chance()),
        "a random model's accuracy " + r.overall().accuracy() + " " + r.overall().interval() + " should contain chance " + r.overall().chance());
    assertTrue(r.overall().pValue() > 0.001, "p = " + r.overall().pValue());
    String table = WorldQaReport.table(e, r);
    assertTrue(table.contains("overall") && table.contains("appeared-colour"), table);
  }

  @Test
  void aScorerThatKnowsTheAnswersIsPerfectAndFarFromChance() {
    WorldQaEvaluation e = open(SMALL_RUN);
    Result r = e.run(rigged(e), List.of(), a -> {});
    assertCountsAddUp(r, 48);
    assertEquals(1.0, r.overall().accuracy());
    assertTrue(r.overall().pValue() < 1e-6, "p = " + r.overall().pValue());
    double allRight = r.answers().stream().mapToDouble(Answer::chance).reduce(1, (x, y) -> x * y);
    assertEquals(allRight, r.overall().pValue(), allRight * 1e-9, "P(all right by guessing) = product of chances");
    assertEquals(1.0, r.overall().interval().high(), 1e-12);
    for (TypeResult t : r.types()) {
      assertEquals(Math.pow(t.chance(), t.questions()), t.pValue(), 1e-9 * t.pValue(), t.toString());
      assertFalse(t.interval().contains(t.chance()) && t.questions() >= 6, t.toString());
    }
    assertTrue(r.types().size() >= 5, "most types are asked over 12 videos: " + r.types());
  }

  @Test
  void heldOutVideosAreTheSeedsVideosFromTwoToTheSixtySecond() {
    WorldQaEvaluation e = open(SMALL_RUN);
    WorldVideo v = e.video(3);
    assertEquals(WorldQaSource.video(e.world(), 1000, (1L << 62) + 3).seed(), v.seed());
    assertEquals(WorldQaSource.questions(v, 4), e.questions(v), "training's questions when every type is asked");
    // The draw of (s, k) depends on s + k * phi alone: each seed covers an arc of a single line.
    long phi = 0x9E3779B97F4A7C15L;
    assertEquals(IndexedDraw.generator(1000, (1L << 62) + 3).nextLong(), IndexedDraw.generator(1000 + ((1L << 62) + 3) * phi, 0).nextLong());
    // The held-out videos' world seeds are none of the first 200000 a source with the same seed trains on.
    Set<Long> heldOut = new HashSet<>();
    for (int i = 0; i < SMALL_RUN.videos(); i++) {
      heldOut.add(e.video(i).seed());
    }
    assertEquals(SMALL_RUN.videos(), heldOut.size());
    for (long k = 0; k < 200_000; k++) {
      assertFalse(heldOut.contains(IndexedDraw.generator(1000, k).nextLong()), "training video " + k);
    }
    assertEquals(e.video(3).seed(), open(SMALL_RUN).video(3).seed(), "deterministic");
    assertFalse(open(SMALL_RUN.withSeed(1001)).video(3).seed() == v.seed());
  }

  @Test
  void typesSelectTheQuestionsAndTheirChance() {
    WorldQaEvaluation e = open(SMALL_RUN.withTypes(List.of(QuestionType.BEFORE_OR_AFTER, QuestionType.BOUNCE_COUNT)));
    Result r = e.run(rigged(e), List.of(), a -> {});
    assertCountsAddUp(r, 48);
    assertEquals(Set.of(QuestionType.BEFORE_OR_AFTER, QuestionType.BOUNCE_COUNT),
        new HashSet<>(r.types().stream().map(TypeResult::type).toList()));
    double expected = r.answers().stream().mapToDouble(a -> a.type() == QuestionType.BEFORE_OR_AFTER ? 0.5 : 1.0 / 6).average().orElseThrow();
    assertEquals(expected, r.overall().chance(), 1e-12);
    assertEquals(QuestionType.APPEARED_BETWEEN, WorldQaEvaluation.parseType("appeared-between"));
    assertEquals(QuestionType.POSITION_AT, WorldQaEvaluation.parseType("POSITION_AT"));
    BadInputException bad = assertThrows(BadInputException.class, () -> WorldQaEvaluation.parseType("colour"));
    assertTrue(bad.getMessage().contains("--types: unknown question type 'colour'") && bad.getMessage().contains("appeared-colour"),
        bad.getMessage());
  }

  @Test
  void aResumedRunAsksOnlyTheVideosNotYetAnswered() {
    WorldQaEvaluation e = open(SMALL_RUN.withVideos(5, 3));
    WorldQaEvaluation.Scorer rigged = rigged(e);
    List<List<Answer>> saved = new ArrayList<>();
    Result full = e.run(rigged, List.of(), saved::add);
    List<Answer> firstTwo = saved.get(1);
    assertEquals(2 * 3, firstTwo.size());
    int[] calls = {0};
    Result resumed = e.run((p, c) -> {
      calls[0]++;
      return rigged.score(p, c);
    }, firstTwo, a -> {});
    assertEquals(3 * 3, calls[0], "only videos 2..4 scored");
    assertEquals(full.overall(), resumed.overall());
    assertEquals(full.answers().stream().map(Answer::question).toList(), resumed.answers().stream().map(Answer::question).toList());
  }

  @Test
  void framesMinusOneSizesTheVideosAsTrainingDoes() {
    for (int seqLen : new int[] {1024, 8192}) {
      for (String world : List.of("tiny", "small")) {
        // Training's own sizing of a stage's QA videos (a 16-code codebook, quick to train; the size depends on codes per frame).
        DataMix stage = new DataMix("bytes", "", -1, 0, "", 0, "", 1000, 0, 0, LossWeighting.PER_EXAMPLE, "fail",
            new VisionMix("", VisionFixtures.FRAME_SIZE, VisionFixtures.CODES_PER_FRAME, 16, world, -1, 1, 0, 0, 0.16, 0.5, 4, java.util.List.of()));
        int trained = StageData.visionQaWorld(stage, seqLen).frames();
        WorldQaEvaluation e = WorldQaEvaluation.open(Settings.defaults().withWorld(world, -1), inputs(config.withMaxSeqLen(seqLen)));
        assertEquals(trained, e.world().frames(), world + " world at " + seqLen + " tokens");
        assertTrue(e.longestRead() <= seqLen, e.longestRead() + " tokens");
      }
    }
    WorldQaEvaluation tiny = open(SMALL_RUN.withWorld("tiny", -1));
    assertEquals(50, tiny.world().frames(), "vision-tiny's QA videos at 1024 tokens");
    int hardLimit = 1024 / (VisionFixtures.CODES_PER_FRAME + 1);
    BadInputException over = assertThrows(BadInputException.class, () -> open(SMALL_RUN.withWorld("tiny", hardLimit)));
    assertTrue(over.getMessage().contains("--frames " + hardLimit) && over.getMessage().contains("max sequence length of 1024")
        && over.getMessage().contains("frames fit"), over.getMessage());
  }

  @Test
  void inputsThatDoNotFitAreRefusedNamingFlagsAndValues() throws Exception {
    assertBad(() -> WorldQaEvaluation.open(SMALL_RUN, inputs(VisionFixtures.config(20))), "--checkpoint ck with --tokenizer " + tokenizerName,
        "vision vocabulary of 20", "codebook 32");
    assertBad(() -> WorldQaEvaluation.open(SMALL_RUN, inputs(VisionFixtures.config(0))), "--checkpoint ck", "text-only");
    assertBad(() -> WorldQaEvaluation.open(SMALL_RUN, inputs(config.withMaxSeqLen(200))), "--frames 8", "max sequence length of 200",
        "--checkpoint ck", "frames fit");
    assertBad(() -> WorldQaEvaluation.open(SMALL_RUN.withWorld("tiny", -1), inputs(config.withMaxSeqLen(60))), "--frames -1",
        "max sequence length of 60", "even one frame");
    assertBad(() -> new Settings("huge", 8, 1, 1, 0, List.of(QuestionType.values())), "--world must be tiny or small, got 'huge'");
    assertBad(() -> SMALL_RUN.withWorld("tiny", 0), "--frames must be -1", "got 0");
    assertBad(() -> SMALL_RUN.withVideos(0, 4), "--videos must be >= 1, got 0");
    assertBad(() -> SMALL_RUN.withVideos(3, 0), "--questions-per-video must be >= 1, got 0");
    assertBad(() -> SMALL_RUN.withTypes(List.of()), "--types");

    // An 8-pixel tokenizer cannot draw the world's objects (radius 3.5 * 8/32 < 1 pixel).
    float[] grey = new float[3 * 8 * 8];
    List<org.nd4j.linalg.api.ndarray.INDArray> frames = new ArrayList<>();
    for (int f = 0; f < 4; f++) {
      Arrays.fill(grey, f / 4f - 0.5f);
      frames.add(Nd4j.create(grey.clone(), new long[] {3, 8, 8}, 'c'));
    }
    Path small = dir.resolve("tok8");
    PatchCodebook.train(new PatchCodebookConfig(8, 4, 4, 2, 1, 64), frames).save(small);
    CodecTokenizer eight = CodecTokenizer.load(small);
    assertBad(() -> WorldQaEvaluation.open(SMALL_RUN, new Inputs(VisionFixtures.config(6), "ck", eight, small.toString(), TEXT)),
        "--tokenizer " + small + " takes 8-pixel frames, which do not fit --world tiny");
  }

  static void assertBad(Runnable r, String... parts) {
    BadInputException e = assertThrows(BadInputException.class, r::run);
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
    }
  }
}

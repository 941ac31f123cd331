package io.worldring.ops.eval;

import io.worldring.datasets.Tokenizer;
import io.worldring.datasets.vision.FrameCodes;
import io.worldring.datasets.vision.IndexedDraw;
import io.worldring.datasets.vision.VideoQaFormat;
import io.worldring.datasets.vision.VisionExample;
import io.worldring.datasets.vision.VisionTokenizer;
import io.worldring.datasets.vision.VisionVocabulary;
import io.worldring.datasets.vision.world.QuestionType;
import io.worldring.datasets.vision.world.WorldConfig;
import io.worldring.datasets.vision.world.WorldQaSource;
import io.worldring.datasets.vision.world.WorldQuestion;
import io.worldring.datasets.vision.world.WorldQuestions;
import io.worldring.datasets.vision.world.WorldVideo;
import io.worldring.model.BadInputException;
import io.worldring.model.ModelConfig;
import io.worldring.model.SplitMix64;
import io.worldring.ops.eval.ChanceStatistics.Interval;
import io.worldring.ops.vision.VisionModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Long-video QA on held-out synthetic-world videos ({@code worldring eval world-qa}): each question is asked
 * in the training format ({@link VideoQaFormat#prompt}: question, then the whole video), every candidate
 * answer of its {@link QuestionType} is scored (the model: {@link ChoiceScorer}'s log-likelihood), and the
 * highest-scoring candidate (the first, on ties) is the model's answer. Accuracy per type and overall is
 * set against chance, {@link QuestionType#chance()} = 1 / candidates ({@link ChanceStatistics}).
 *
 * <p><b>Held-out videos.</b> Training draws its videos as {@link WorldQaSource} does: video {@code k} of a
 * source with seed {@code s} is {@code WorldSimulator.generate(world, IndexedDraw.generator(s, k).nextLong())},
 * for {@code k = 0, 1, 2, ...} (up to {@code questions-per-video} distinct questions per video; the caption sources
 * draw theirs the same way from their own seeds). A stage's QA seed is
 * {@code new SplitMix64(31 * (runSeed * 1000003 + stageIndex) + 5).nextLong()} (TrainingSupervisor, StageData,
 * StageVision). Evaluation asks about videos {@code k = }{@value #FIRST_VIDEO}{@code  + i} (2^62 + i) of
 * {@code --seed}. The generator depends on {@code s + k * 0x9E3779B97F4A7C15} (mod 2^64) alone, through a
 * bijection, and that constant is odd, so on the line {@code u = s * 0x9E3779B97F4A7C15^-1 + k} each source
 * covers an arc of consecutive u and two videos share a world seed only if their u is the same. Hence:
 * <ul>
 *   <li>with {@code --seed} equal to a training source's seed, the held-out videos cannot be among that
 *       source's: it would have to make 2^62 (4.6e18) videos to reach index 2^62;
 *   <li>with any other seed (the default 1000 is not a SplitMix64 output training uses, except by a
 *       2^-64 coincidence), the arcs overlap only if the difference of the two seeds falls in a window of
 *       (training videos + evaluated videos) values out of 2^64: under 1e-9 for a billion training videos.
 * </ul>
 * The questions are {@link WorldQaSource#questions}: drawn from the video's own seed, as in training.
 *
 * <p><b>The world</b> is the {@code tiny} or {@code small} preset drawn at the vision tokenizer's frame size,
 * sizes and speeds scaled as training scales them (StageVision), with {@code frames} frames. {@code -1}
 * sizes the videos as training's {@code data.vision.frames = -1} does with the stage's sequence length,
 * here the checkpoint's max sequence length (a stage's checkpoint has the stage's): the most frames, up to the
 * preset's count, for which the longest example (question, video, true answer) plus room for longer texts
 * ({@code 8 + text / 8} tokens, VisionSizing's) fits; measured on the held-out questions of the asked
 * types, as training measures its probe videos' questions of the stage's types, it gives training's count
 * when the types are the stage's (every type: 50 frames at 1024 tokens, 231 at 4096, 472 at 8192; first-colour
 * alone: 22 at 512). A stage with a fixed frame count ({@code vision-small}'s 20) is evaluated with the same
 * {@code --frames}. Any count is checked against the hard limit:
 * the prompt and the longest candidate but its final EOS within the max sequence length.
 */
public final class WorldQaEvaluation {
  /** Index of the first held-out video of {@code --seed}: 2^62, beyond any index training reaches. */
  public static final long FIRST_VIDEO = 1L << 62;
  /** The world presets by name. */
  public static final List<String> WORLDS = List.of("tiny", "small");

  /** Scores the candidates of one prompt: one number per candidate, higher = more likely (the model: log-likelihood). */
  @FunctionalInterface
  public interface Scorer {
    double[] score(VisionExample prompt, List<String> candidates);

    /** The model's scores: each candidate's log-likelihood after the prompt. */
    static Scorer of(ChoiceScorer model) {
      return (prompt, candidates) -> model.score(prompt, candidates).scores().stream().mapToDouble(ChoiceScorer.Score::logLikelihood)
          .toArray();
    }
  }

  /**
   * What to evaluate.
   *
   * @param world {@code tiny} or {@code small}: the preset training used
   * @param frames frames per video, or {@code -1}: the preset's count, cut to what the model can read
   * @param videos held-out videos
   * @param questionsPerVideo questions asked about each
   * @param seed the held-out videos are its videos 2^62, 2^62 + 1, ...
   * @param types the question types asked, in {@link QuestionType} order; all of them = training's mix
   */
  public record Settings(String world, int frames, int videos, int questionsPerVideo, long seed, List<QuestionType> types,
      boolean shuffledVideos) {
    public Settings(String world, int frames, int videos, int questionsPerVideo, long seed, List<QuestionType> types) {
      this(world, frames, videos, questionsPerVideo, seed, types, false);
    }

    public Settings {
      if (world == null || !WORLDS.contains(world.toLowerCase(Locale.ROOT))) {
        throw new BadInputException("--world must be tiny or small, got '" + world + "'");
      }
      world = world.toLowerCase(Locale.ROOT);
      if (frames < -1 || frames == 0) {
        throw new BadInputException("--frames must be -1 (fit the model's max sequence length) or a frame count >= 1, got " + frames);
      }
      if (videos < 1) {
        throw new BadInputException("--videos must be >= 1, got " + videos);
      }
      if (shuffledVideos && videos < 2) {
        throw new BadInputException("--shuffle-videos needs --videos >= 2 (each question is shown another video)");
      }
      if (questionsPerVideo < 1) {
        throw new BadInputException("--questions-per-video must be >= 1, got " + questionsPerVideo);
      }
      if (types == null || types.isEmpty()) {
        throw new BadInputException("--types: no question type given");
      }
      types = List.copyOf(new LinkedHashSet<>(types.stream().sorted().toList()));
    }

    /** The command's defaults: the small world, frames fit, 50 videos of 4 questions, seed 1000, every type. */
    public static Settings defaults() {
      return new Settings("small", -1, 50, 4, 1000, List.of(QuestionType.values()));
    }

    public Settings withWorld(String w, int f) {
      return new Settings(w, f, videos, questionsPerVideo, seed, types, shuffledVideos);
    }

    public Settings withVideos(int v, int perVideo) {
      return new Settings(world, frames, v, perVideo, seed, types, shuffledVideos);
    }

    public Settings withSeed(long s) {
      return new Settings(world, frames, videos, questionsPerVideo, s, types, shuffledVideos);
    }

    public Settings withTypes(List<QuestionType> t) {
      return new Settings(world, frames, videos, questionsPerVideo, seed, t, shuffledVideos);
    }

    /**
     * The control: every question is asked with the frames of the next held-out video, so the video holds
     * no evidence for its answer. What the model still gets right comes from the question's text and the
     * answers' priors; accuracy above this control is what the video adds.
     */
    public Settings shuffled() {
      return new Settings(world, frames, videos, questionsPerVideo, seed, types, true);
    }
  }

  /**
   * The model and tokenizers the evaluation uses, with their names for error messages.
   *
   * @param model the checkpoint's shape
   * @param checkpoint its directory
   * @param vision the vision tokenizer training encoded frames with
   * @param visionName its directory
   * @param text the text tokenizer
   */
  public record Inputs(ModelConfig model, String checkpoint, VisionTokenizer vision, String visionName, Tokenizer text) {}

  /**
   * One question asked and answered.
   *
   * @param video held-out video i (the seed's video 2^62 + i)
   * @param index the question's place among the video's questions
   * @param answer the true answer
   * @param predicted the highest-scoring candidate
   * @param scores [candidates of the type], in {@link QuestionType#answers()} order
   * @param promptTokens tokens of the prompt, video included
   */
  public record Answer(int video, int index, QuestionType type, String question, String answer, String predicted, int firstFrame,
      int lastFrame, int promptTokens, double[] scores) {
    public boolean correct() {
      return answer.equals(predicted);
    }

    public double chance() {
      return type.chance();
    }

    /** Frames between the first and the last evidence. */
    public int span() {
      return lastFrame - firstFrame;
    }
  }

  /**
   * The tally of one question type.
   *
   * @param interval 95% Wilson interval of the accuracy
   * @param pValue exact one-sided binomial p-value of at least {@code correct} right by guessing
   * @param majority accuracy of always giving this type's commonest true answer in this set (in hindsight)
   * @param meanSpan mean frames between a question's first and last evidence
   */
  public record TypeResult(QuestionType type, int questions, int correct, double chance, Interval interval, double pValue,
      double majority, double meanSpan) {
    public double accuracy() {
      return (double) correct / questions;
    }
  }

  /**
   * All questions together.
   *
   * @param chance the mean of the questions' chance levels
   * @param interval 95% Wilson interval of the accuracy
   * @param pValue exact one-sided Poisson-binomial p-value of at least {@code correct} right by guessing
   * @param majority accuracy of giving each type's commonest true answer in this set (in hindsight)
   */
  public record Overall(int questions, int correct, double chance, Interval interval, double pValue, double majority) {
    public double accuracy() {
      return (double) correct / questions;
    }
  }

  /**
   * An evaluation's outcome.
   *
   * @param world the world the videos were drawn in (frames resolved)
   * @param answers every question, by video and index
   * @param types the types asked at least once, in {@link QuestionType} order
   */
  public record Result(WorldConfig world, List<Answer> answers, List<TypeResult> types, Overall overall) {
    /** The tallies of a set of answers. */
    public static Result of(WorldConfig world, List<Answer> answers) {
      if (answers.isEmpty()) {
        throw new BadInputException("no question could be asked about these videos with these --types");
      }
      Map<QuestionType, List<Answer>> byType = new EnumMap<>(QuestionType.class);
      answers.forEach(a -> byType.computeIfAbsent(a.type(), t -> new ArrayList<>()).add(a));
      List<TypeResult> types = new ArrayList<>();
      int majorityRight = 0;
      for (Map.Entry<QuestionType, List<Answer>> e : byType.entrySet()) {
        List<Answer> as = e.getValue();
        int n = as.size();
        int correct = (int) as.stream().filter(Answer::correct).count();
        int commonest = as.stream().collect(Collectors.groupingBy(Answer::answer, Collectors.counting())).values().stream()
            .mapToInt(Long::intValue).max().orElse(0);
        majorityRight += commonest;
        double[] chances = new double[n];
        Arrays.fill(chances, e.getKey().chance());
        types.add(new TypeResult(e.getKey(), n, correct, e.getKey().chance(), ChanceStatistics.wilson95(correct, n),
            ChanceStatistics.pValueAbove(chances, correct), (double) commonest / n, as.stream().mapToInt(Answer::span).average().orElse(0)));
      }
      int n = answers.size();
      int correct = (int) answers.stream().filter(Answer::correct).count();
      double[] chances = answers.stream().mapToDouble(Answer::chance).toArray();
      Overall overall = new Overall(n, correct, Arrays.stream(chances).average().orElseThrow(), ChanceStatistics.wilson95(correct, n),
          ChanceStatistics.pValueAbove(chances, correct), (double) majorityRight / n);
      return new Result(world, List.copyOf(answers), List.copyOf(types), overall);
    }
  }

  private final Settings settings;
  private final WorldConfig world;
  private final VisionTokenizer vision;
  private final Tokenizer text;
  private final VideoQaFormat format;
  private final int longestRead;

  private WorldQaEvaluation(Settings settings, WorldConfig world, Inputs in, int longestRead) {
    this.settings = settings;
    this.world = world;
    this.vision = in.vision();
    this.text = in.text();
    this.format = new VideoQaFormat(in.text(), VisionVocabulary.of(in.vision()));
    this.longestRead = longestRead;
  }

  /**
   * Checks that the model, the tokenizers and the world fit together and sizes the videos (no frame is
   * rendered yet): the checkpoint's vision vocabulary must be the tokenizer's codebook + 2, the world must
   * be drawable at the tokenizer's frame size, and every prompt with its longest candidate must fit the
   * model's max sequence length.
   */
  public static WorldQaEvaluation open(Settings settings, Inputs in) {
    try {
      VisionModels.requireMatch(in.model(), java.nio.file.Path.of(in.checkpoint()), in.vision(), in.visionName());
      VisionModels.requireText(in.model(), java.nio.file.Path.of(in.checkpoint()), in.text());
    } catch (BadInputException e) {
      throw new BadInputException("--checkpoint " + in.checkpoint() + " with --tokenizer " + in.visionName() + ": " + e.getMessage(), e);
    }
    WorldConfig base = world(settings.world(), in.vision().frameSize(), in.visionName());
    Sizing sizing = new Sizing(settings, base, in);
    int maxSeqLen = in.model().maxSeqLen();
    int frames = settings.frames();
    if (frames > 0) {
      int read = sizing.longestRead(frames);
      if (read > maxSeqLen) {
        int fit = sizing.most(Math.max(frames, base.frames()), maxSeqLen, false);
        throw new BadInputException("--frames " + frames + ": world-qa prompts of " + frames + " frames (" + (in.vision().codesPerFrame() + 1)
            + " tokens each) read up to " + read + " tokens with their longest answer, more than the max sequence length of " + maxSeqLen
            + " of --checkpoint " + in.checkpoint() + (fit > 0 ? "; at most " + fit + " frames fit (or leave --frames out)" : "; not even one frame fits"));
      }
    } else {
      frames = sizing.most(base.frames(), maxSeqLen, true);
      if (frames == 0) {
        throw new BadInputException("--frames -1: the max sequence length of " + maxSeqLen + " of --checkpoint " + in.checkpoint()
            + " is too short for world-qa prompts of even one frame (" + sizing.longestRead(1) + " tokens with their longest answer, and "
            + "training leaves room for longer texts)");
      }
    }
    return new WorldQaEvaluation(settings, sized(base, frames), in, sizing.longestRead(frames));
  }

  /**
   * The preset at {@code frameSize}-pixel frames, as training draws it ({@link WorldConfig#atFrameSize}).
   */
  public static WorldConfig world(String name, int frameSize, String tokenizerName) {
    WorldConfig p = switch (name) {
      case "tiny" -> WorldConfig.tiny();
      case "small" -> WorldConfig.small();
      default -> throw new BadInputException("--world must be tiny or small, got '" + name + "'");
    };
    try {
      return p.atFrameSize(frameSize);
    } catch (BadInputException e) {
      throw new BadInputException("--tokenizer " + tokenizerName + " takes " + frameSize + "-pixel frames, which do not fit --world " + name
          + " (drawn at " + p.frameSize() + " pixels, scaled by " + frameSize / (double) p.frameSize() + "): " + e.getMessage(), e);
    }
  }

  public Settings settings() {
    return settings;
  }

  /** The world the held-out videos are drawn in, frames resolved. */
  public WorldConfig world() {
    return world;
  }

  /** The most tokens a scored sequence gives the model to read (prompt and answer but its final EOS). */
  public int longestRead() {
    return longestRead;
  }

  /** Held-out video {@code i}: the seed's video 2^62 + i. */
  public WorldVideo video(int i) {
    return WorldQaSource.video(world, settings.seed(), FIRST_VIDEO + i);
  }

  /** The questions asked about a video. */
  public List<WorldQuestion> questions(WorldVideo video) {
    return questions(video, settings.questionsPerVideo(), settings.types());
  }

  /**
   * Training's questions ({@link WorldQaSource#questions}) when every type is asked; else the same draw
   * ({@link WorldQuestions#sample}'s: types cycled in a seeded order, those this video cannot ask skipped)
   * over the chosen types only.
   */
  static List<WorldQuestion> questions(WorldVideo video, int count, List<QuestionType> types) {
    return WorldQuestions.sample(video, count, IndexedDraw.generator(video.seed(), 1), types); // as WorldQaSource.questions
  }

  /**
   * Asks every question of every held-out video not already in {@code done}, scoring with {@code scorer}.
   *
   * @param done answers of an earlier, interrupted run with the same settings (whole videos)
   * @param afterVideo called with all answers so far after each video (to save them)
   */
  public Result run(Scorer scorer, List<Answer> done, Consumer<List<Answer>> afterVideo) {
    Set<Integer> finished = done.stream().map(Answer::video).collect(Collectors.toSet());
    List<Answer> answers = new ArrayList<>(done);
    for (int i = 0; i < settings.videos(); i++) {
      if (finished.contains(i)) {
        continue;
      }
      WorldVideo video = video(i);
      List<WorldQuestion> questions = questions(video);
      if (!questions.isEmpty()) {
        WorldVideo shown = settings.shuffledVideos() ? video((i + 1) % settings.videos()) : video;
        FrameCodes codes = FrameCodes.encode(vision, shown.render());
        for (int j = 0; j < questions.size(); j++) {
          answers.add(ask(scorer, codes, i, j, questions.get(j)));
        }
      }
      answers.sort((a, b) -> a.video() != b.video() ? Integer.compare(a.video(), b.video()) : Integer.compare(a.index(), b.index()));
      afterVideo.accept(List.copyOf(answers));
    }
    return Result.of(world, answers);
  }

  private Answer ask(Scorer scorer, FrameCodes codes, int video, int index, WorldQuestion q) {
    VisionExample prompt = format.prompt(codes, q.question());
    List<String> candidates = q.type().answers();
    double[] scores = scorer.score(prompt, candidates);
    if (scores.length != candidates.size()) {
      throw new IllegalStateException("the scorer gave " + scores.length + " scores for " + candidates.size() + " candidates");
    }
    int best = 0;
    for (int c = 1; c < scores.length; c++) {
      if (scores[c] > scores[best]) {
        best = c;
      }
    }
    return new Answer(video, index, q.type(), q.question(), q.answer(), candidates.get(best), q.firstFrame(), q.lastFrame(),
        prompt.length(), scores);
  }

  /** The question type named as on the command line: {@code appeared-colour}, {@code APPEARED_COLOUR}. */
  public static QuestionType parseType(String name) {
    String n = name.strip().toUpperCase(Locale.ROOT).replace('-', '_');
    for (QuestionType t : QuestionType.values()) {
      if (t.name().equals(n)) {
        return t;
      }
    }
    throw new BadInputException("--types: unknown question type '" + name + "'; one of "
        + Arrays.stream(QuestionType.values()).map(WorldQaEvaluation::typeName).collect(Collectors.joining(", ")));
  }

  /** A type's name in flags and reports: {@code appeared-colour}. */
  public static String typeName(QuestionType t) {
    return t.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static WorldConfig sized(WorldConfig w, int frames) {
    return frames == w.frames() ? w : w.withFrames(frames);
  }

  /**
   * Lengths of the held-out questions' sequences, measured on the real format without rendering a frame:
   * what the model reads when scoring (the hard limit), and the training example's length that training's
   * own sizing checks.
   */
  private static final class Sizing {
    /** @param read the most tokens read for one candidate; @param text the longest training example's text (its length less the frames') */
    private record Measure(int read, int text) {}

    private final Settings settings;
    private final WorldConfig base;
    private final VideoQaFormat format;
    private final Tokenizer text;
    private final int codesPerFrame;
    private final Map<QuestionType, Integer> longestAnswer = new EnumMap<>(QuestionType.class);
    private final Map<Integer, Measure> measured = new HashMap<>();

    Sizing(Settings settings, WorldConfig base, Inputs in) {
      this.settings = settings;
      this.base = base;
      this.format = new VideoQaFormat(in.text(), VisionVocabulary.of(in.vision()));
      this.text = in.text();
      this.codesPerFrame = in.vision().codesPerFrame();
      for (QuestionType t : QuestionType.values()) {
        longestAnswer.put(t, t.answers().stream().mapToInt(this::answerTokens).max().orElseThrow());
      }
    }

    /** ChoiceScorer's candidate, as training writes an answer: " " + answer, then EOS. */
    private int answerTokens(String answer) {
      return text.encode(" " + answer.strip()).length + 1;
    }

    Measure measure(int frames) {
      return measured.computeIfAbsent(frames, f -> {
        WorldConfig w = sized(base, f);
        FrameCodes blank = new FrameCodes(new int[f][codesPerFrame]);
        int read = 0;
        int longestText = 0;
        for (int i = 0; i < settings.videos(); i++) {
          WorldVideo video = WorldQaSource.video(w, settings.seed(), FIRST_VIDEO + i);
          for (WorldQuestion q : questions(video, settings.questionsPerVideo(), settings.types())) {
            int prompt = format.prompt(blank, q.question()).length();
            read = Math.max(read, prompt + longestAnswer.get(q.type()) - 1);
            longestText = Math.max(longestText, prompt + answerTokens(q.answer()) - f * (codesPerFrame + 1));
          }
        }
        return new Measure(read, longestText);
      });
    }

    /** The most tokens the model reads for one scored candidate: the prompt, then the answer but its last token. */
    int longestRead(int frames) {
      return measure(frames).read();
    }

    /**
     * Whether the questions of {@code frames}-frame videos can be scored (the hard limit) and, when
     * {@code asTraining}, whether training's sizing (VisionSizing) would also have taken that many frames:
     * the longest example's text, plus room for longer texts of {@code 8 + text / 8} tokens, plus the
     * frames' tokens, within the sequence length + 1.
     */
    boolean fits(int frames, int maxSeqLen, boolean asTraining) {
      Measure m = measure(frames);
      return m.read() <= maxSeqLen && (!asTraining || m.text() + 8 + m.text() / 8 + frames * (codesPerFrame + 1) <= maxSeqLen + 1);
    }

    /** The most frames in [1, max] that fit (by bisection: more frames, longer sequences), or 0. */
    int most(int max, int maxSeqLen, boolean asTraining) {
      if (!fits(1, maxSeqLen, asTraining)) {
        return 0;
      }
      int lo = 1; // fits
      int hi = max + 1; // does not fit, or beyond the range
      while (hi - lo > 1) {
        int mid = (lo + hi) >>> 1;
        if (fits(mid, maxSeqLen, asTraining)) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      return lo;
    }
  }
}

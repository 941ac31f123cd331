package io.worldring.datasets.vision.world;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldring.datasets.vision.FrameCodes;
import io.worldring.datasets.vision.IndexedDraw;
import io.worldring.datasets.vision.SourceStates;
import io.worldring.datasets.vision.VideoQaFormat;
import io.worldring.datasets.vision.VisionExample;
import io.worldring.datasets.vision.VisionExampleSource;
import io.worldring.datasets.vision.VisionTokenizer;
import io.worldring.model.BadInputException;
import java.util.List;

/**
 * Long-video QA examples from the synthetic world: video v (generated from the seed and v, every frame
 * encoded), then up to {@code questionsPerVideo} distinct questions about it, one example each in the
 * vision-chat format with the loss on the answer; a video with fewer distinct questions of the asked types
 * gives fewer (first-colour alone: one per video), and the next video follows. The current video's codes
 * are kept, so each video is rendered and encoded once. State: the video and how many of its questions
 * were made into examples.
 */
public final class WorldQaSource implements VisionExampleSource {
  /** Videos in a row without a question of the asked types before the source gives up. */
  private static final int MAX_VIDEOS_WITHOUT_QUESTIONS = 1000;
  private final WorldConfig config;
  private final VisionTokenizer tokenizer;
  private final VideoQaFormat format;
  private final int questionsPerVideo;
  private final List<QuestionType> types;
  private final long seed;
  private long video;
  private int asked;
  private long cachedVideo = -1;
  private FrameCodes codes;
  private List<WorldQuestion> questions;
  private WorldQuestion last;

  public WorldQaSource(WorldConfig config, VisionTokenizer tokenizer, VideoQaFormat format, int questionsPerVideo, long seed) {
    this(config, tokenizer, format, questionsPerVideo, List.of(QuestionType.values()), seed);
  }

  /** As above, asking only questions of {@code types}. */
  public WorldQaSource(WorldConfig config, VisionTokenizer tokenizer, VideoQaFormat format, int questionsPerVideo,
      List<QuestionType> types, long seed) {
    if (config.frameSize() != tokenizer.frameSize()) {
      throw new BadInputException("world frames are " + config.frameSize() + " pixels, the vision tokenizer takes " + tokenizer.frameSize());
    }
    if (questionsPerVideo < 1) {
      throw new BadInputException("questions per video must be positive, got " + questionsPerVideo);
    }
    this.config = config;
    this.tokenizer = tokenizer;
    this.format = format;
    if (types.isEmpty()) {
      throw new BadInputException("world QA needs at least one question type");
    }
    this.questionsPerVideo = questionsPerVideo;
    this.types = List.copyOf(types);
    this.seed = seed;
  }

  /** The video behind example {@code index}'s question (for evaluation reports). */
  public static WorldVideo video(WorldConfig config, long seed, long videoIndex) {
    return WorldSimulator.generate(config, IndexedDraw.generator(seed, videoIndex).nextLong());
  }

  /** The questions asked about that video, in order. */
  public static List<WorldQuestion> questions(WorldVideo video, int count) {
    return questions(video, count, List.of(QuestionType.values()));
  }

  /** The questions of {@code types} asked about that video, in order (all types: as {@link #questions(WorldVideo, int)}). */
  public static List<WorldQuestion> questions(WorldVideo video, int count, List<QuestionType> types) {
    return WorldQuestions.sample(video, count, IndexedDraw.generator(video.seed(), 1), types);
  }

  @Override
  public VisionExample next() {
    for (int empty = 0; ; empty++) {
      load(video);
      if (asked < questions.size()) {
        break;
      }
      if (questions.isEmpty() && empty >= MAX_VIDEOS_WITHOUT_QUESTIONS) {
        throw new BadInputException("world QA: " + MAX_VIDEOS_WITHOUT_QUESTIONS + " videos in a row have no question of the types "
            + types + " (does this world ever show what they ask about?)");
      }
      video++;
      asked = 0;
    }
    WorldQuestion q = questions.get(asked);
    VisionExample e = format.format("world-qa:" + video + ":" + asked + ":" + q.type(), codes, q.question(), q.answer());
    asked++;
    last = q;
    return e;
  }

  private void load(long v) {
    if (v != cachedVideo) {
      WorldVideo w = video(config, seed, v);
      codes = FrameCodes.encode(tokenizer, w.render());
      questions = questions(w, questionsPerVideo, types);
      cachedVideo = v;
    }
  }

  /** The question behind the last example (null before the first, and after a restore). */
  public WorldQuestion lastQuestion() {
    return last;
  }

  @Override
  public JsonNode state() {
    return SourceStates.object().put("video", video).put("asked", asked);
  }

  /** Also takes the state of earlier versions, {@code made} examples at {@code questionsPerVideo} per video. */
  @Override
  public void restore(JsonNode state) {
    if (state != null && state.has("made") && !state.has("video")) {
      long made = SourceStates.getLong(state, "made", "world QA");
      video = made / questionsPerVideo;
      asked = (int) (made % questionsPerVideo);
    } else {
      video = SourceStates.getLong(state, "video", "world QA");
      long a = SourceStates.getLong(state, "asked", "world QA");
      if (a > questionsPerVideo) {
        throw new BadInputException("world QA state: video " + video + ", asked " + a + " is not a position of this source ("
            + questionsPerVideo + " questions per video at most)");
      }
      asked = (int) a;
    }
    last = null;
  }
}

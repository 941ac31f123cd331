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
 * encoded), then {@code questionsPerVideo} questions about it, one example each in the vision-chat format
 * with the loss on the answer. The current video's codes are kept, so each video is rendered and encoded
 * once. State: examples made.
 */
public final class WorldQaSource implements VisionExampleSource {
  private final WorldConfig config;
  private final VisionTokenizer tokenizer;
  private final VideoQaFormat format;
  private final int questionsPerVideo;
  private final List<QuestionType> types;
  private final long seed;
  private long made;
  private long cachedVideo = -1;
  private FrameCodes codes;
  private List<WorldQuestion> questions;

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
    long v = made / questionsPerVideo;
    if (v != cachedVideo) {
      WorldVideo video = video(config, seed, v);
      codes = FrameCodes.encode(tokenizer, video.render());
      questions = questions(video, questionsPerVideo, types);
      cachedVideo = v;
    }
    WorldQuestion q = questions.get((int) (made % questionsPerVideo) % questions.size());
    VisionExample e = format.format("world-qa:" + v + ":" + (made % questionsPerVideo) + ":" + q.type(), codes, q.question(), q.answer());
    made++;
    return e;
  }

  /** The question behind the last example. */
  public WorldQuestion lastQuestion() {
    return made == 0 ? null : questions.get((int) ((made - 1) % questionsPerVideo) % questions.size());
  }

  @Override
  public JsonNode state() {
    return SourceStates.object().put("made", made);
  }

  @Override
  public void restore(JsonNode state) {
    made = SourceStates.getLong(state, "made", "world QA");
  }
}

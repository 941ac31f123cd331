package io.worldring.datasets.stage;

import io.worldring.datasets.Tokenizer;
import io.worldring.datasets.source.LossWeighting;
import io.worldring.datasets.vision.CaptionFormat;
import io.worldring.datasets.vision.CodecTokenizer;
import io.worldring.datasets.vision.ModalitySwap;
import io.worldring.datasets.vision.VideoQaFormat;
import io.worldring.datasets.vision.VisionExampleSource;
import io.worldring.datasets.vision.VisionPackedStream;
import io.worldring.datasets.vision.VisionVocabulary;
import io.worldring.datasets.vision.WeightedVisionSource;
import io.worldring.datasets.vision.world.WorldCaptionSource;
import io.worldring.datasets.vision.world.WorldConfig;
import io.worldring.datasets.vision.world.WorldQaSource;
import io.worldring.datasets.vision.world.WorldSimulator;
import io.worldring.datasets.vision.world.WorldVideo;
import io.worldring.model.BadInputException;
import io.worldring.model.SplitMix64;
import io.worldring.model.vision.PatchCodebook;
import io.worldring.model.vision.PatchCodebookConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A stage's vision part (see {@link VisionMix}): its vision tokenizer, the world its examples come from
 * (sized to the sequence by {@link VisionSizing}), and the packed stream of its examples.
 *
 * <p>The {@code ""} tokenizer is a {@link PatchCodebook} trained on frames of the section's world: every
 * fourth frame of world videos generated from a fixed seed, enough frames for {@value #PATCHES_PER_CODE}
 * patches per code, {@value #ITERATIONS} Lloyd iterations. It depends on the tokenizer keys and the world
 * preset only (not on the data seed, the frame count or the sequence length), so every vision stage of a
 * curriculum and every later use ({@code worldring ask}, evaluation) gets the same codes. The last
 * codebooks trained or loaded are kept, so reopening a stage (resume, a ring restart) does not train again.
 */
final class StageVision {
  /** Training patches per code of the codebook (k-means needs several points per centroid). */
  static final int PATCHES_PER_CODE = 64;
  /** Lloyd iterations (as {@link PatchCodebookConfig#tiny()}); training stops earlier once converged. */
  static final int ITERATIONS = 25;
  /** Seeds k-means and the training videos; fixed, so the codebook is a function of the config keys. */
  static final long CODEBOOK_SEED = 0xC0DEB00CL;
  private static final int FRAME_STRIDE = 4;
  private static final int CACHED = 2;

  /** What decides a tokenizer: a directory, or the codebook keys and the world it is trained on. */
  private record Key(String directory, int frameSize, int codesPerFrame, int codebookSize, String world) {
    static Key of(VisionMix v) {
      return v.tokenizer().isEmpty() ? new Key("", v.frameSize(), v.codesPerFrame(), v.codebookSize(), v.world().toLowerCase(Locale.ROOT))
          : new Key(v.tokenizer(), 0, 0, 0, "");
    }
  }

  private static final Map<Key, CodecTokenizer> TOKENIZERS = new LinkedHashMap<>(4, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, CodecTokenizer> eldest) {
      return size() > CACHED;
    }
  };

  private StageVision() {}

  /** The ids of the vision table: the tokenizer's codes, {@code <eof>}, {@code <eov>}. Trains nothing. */
  static VisionVocabulary vocabulary(VisionMix v) {
    return new VisionVocabulary(v.tokenizer().isEmpty() ? v.codebookSize() : tokenizer(v).codebookSize());
  }

  /** The vision tokenizer of this section: trained (or loaded) once, then shared. */
  static synchronized CodecTokenizer tokenizer(VisionMix v) {
    return TOKENIZERS.computeIfAbsent(Key.of(v), k -> v.tokenizer().isEmpty() ? train(v) : load(v));
  }

  /** Trains the {@code ""} tokenizer afresh (no cache). */
  static CodecTokenizer train(VisionMix v) {
    PatchCodebookConfig config = new PatchCodebookConfig(v.frameSize(), v.codesPerFrame(), v.codebookSize(), ITERATIONS, CODEBOOK_SEED,
        PATCHES_PER_CODE * v.codebookSize());
    WorldConfig world = world(v, v.frameSize());
    int needed = (config.maxTrainingPatches() + config.codesPerFrame() - 1) / config.codesPerFrame();
    List<INDArray> frames = new ArrayList<>(needed); // [3, S, S] each
    SplitMix64 seeds = new SplitMix64(CODEBOOK_SEED);
    while (frames.size() < needed) {
      WorldVideo video = WorldSimulator.generate(world, seeds.nextLong());
      for (int t = 0; t < video.frames() && frames.size() < needed; t += FRAME_STRIDE) {
        frames.add(CodecTokenizer.toArray(video.render(t)));
      }
    }
    try {
      PatchCodebook codebook = PatchCodebook.train(config, frames);
      return new CodecTokenizer(codebook, "patch codebook (" + config.codebookSize() + " codes, " + config.codesPerFrame() + " per "
          + config.frameSize() + "px frame) trained on the " + v.world() + " world");
    } finally {
      frames.forEach(INDArray::close);
    }
  }

  private static CodecTokenizer load(VisionMix v) {
    try {
      return CodecTokenizer.load(Path.of(v.tokenizer()));
    } catch (BadInputException e) {
      throw new BadInputException("data.vision.tokenizer: " + e.getMessage(), e);
    }
  }

  /** The section's world preset drawn at {@code frameSize} pixels (sizes and speeds scaled with the frame). */
  static WorldConfig world(VisionMix v, int frameSize) {
    try {
      return VisionMix.worldPreset(v.world()).atFrameSize(frameSize);
    } catch (BadInputException e) {
      throw new BadInputException("data.vision.world " + v.world() + " at " + frameSize + "-pixel frames: " + e.getMessage(), e);
    }
  }

  /** The worlds of the QA and video-caption examples, sized to the sequence; null for a kind with weight 0. */
  record Worlds(WorldConfig qa, WorldConfig videoCaptions, WorldConfig stills) {}

  static Worlds worlds(VisionMix v, Tokenizer text, CodecTokenizer vision, int seqLen) {
    VisionVocabulary vocab = VisionVocabulary.of(vision);
    WorldConfig base = world(v, vision.frameSize());
    WorldConfig qa = v.qaWeight() > 0
        ? VisionSizing.world(VisionSizing.Kind.QA, base, v.frames(), text, vocab, vision.codesPerFrame(), v.questionsPerVideo(),
            v.askedTypes(), seqLen)
        : null;
    WorldConfig videos = v.videoCaptionWeight() > 0
        ? VisionSizing.world(VisionSizing.Kind.VIDEO_CAPTION, base, v.frames(), text, vocab, vision.codesPerFrame(), v.questionsPerVideo(),
            v.askedTypes(), seqLen)
        : null;
    if (v.captionWeight() > 0) {
      VisionSizing.checkStills(base, text, vocab, vision.codesPerFrame(), seqLen);
    }
    return new Worlds(qa, videos, v.captionWeight() > 0 ? base : null);
  }

  /**
   * The packed stream of vision examples (pure text is the stage's separate {@code vision-text} part). The
   * kinds' seeds are drawn from {@code seed} in a fixed order, so a kind's examples do not change when
   * another kind's weight does.
   */
  static VisionPackedStream stream(VisionMix v, Tokenizer text, int seqLen, LossWeighting weighting, long seed) {
    CodecTokenizer vision = tokenizer(v);
    VisionVocabulary vocab = VisionVocabulary.of(vision);
    Worlds worlds = worlds(v, text, vision, seqLen);
    SplitMix64 seeds = new SplitMix64(seed);
    long qaSeed = seeds.nextLong();
    long stillSeed = seeds.nextLong();
    long stillSwap = seeds.nextLong();
    long videoSeed = seeds.nextLong();
    long videoSwap = seeds.nextLong();
    long drawSeed = seeds.nextLong();
    List<String> names = new ArrayList<>();
    List<VisionExampleSource> sources = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    if (v.qaWeight() > 0) {
      names.add("world-qa");
      sources.add(new WorldQaSource(worlds.qa(), vision, new VideoQaFormat(text, vocab), v.questionsPerVideo(), v.askedTypes(), qaSeed));
      weights.add(v.qaWeight());
    }
    if (v.captionWeight() > 0) {
      names.add("world-stills");
      sources.add(new WorldCaptionSource(worlds.stills(), vision, new CaptionFormat(text, vocab), ModalitySwap.even(stillSwap), true, stillSeed));
      weights.add(v.captionWeight());
    }
    if (v.videoCaptionWeight() > 0) {
      names.add("world-videos");
      sources.add(new WorldCaptionSource(worlds.videoCaptions(), vision, new CaptionFormat(text, vocab), ModalitySwap.even(videoSwap), false,
          videoSeed));
      weights.add(v.videoCaptionWeight());
    }
    double[] w = weights.stream().mapToDouble(Double::doubleValue).toArray();
    return new VisionPackedStream(new WeightedVisionSource(names, sources, w, drawSeed), seqLen, text.pad(), weighting);
  }
}

package io.worldring.datasets.stage;

import io.worldring.datasets.Tokenizer;
import io.worldring.datasets.vision.CaptionFormat;
import io.worldring.datasets.vision.FrameCodes;
import io.worldring.datasets.vision.ModalityOrder;
import io.worldring.datasets.vision.VideoQaFormat;
import io.worldring.datasets.vision.VisionVocabulary;
import io.worldring.datasets.vision.world.QuestionType;
import io.worldring.datasets.vision.world.WorldCaptions;
import io.worldring.datasets.vision.world.WorldConfig;
import io.worldring.datasets.vision.world.WorldQaSource;
import io.worldring.datasets.vision.world.WorldQuestion;
import io.worldring.datasets.vision.world.WorldVideo;
import io.worldring.model.BadInputException;
import java.util.List;

/**
 * How many frames a stage's videos get, so that its examples fit one sequence (LWM grows the frame count
 * with the context: 30 frames at 8K, up to 4000 at 1M). An example is its text (prompt, question or caption,
 * answer, delimiters) plus {@code codesPerFrame + 1} tokens per frame; the text's length is measured on
 * the real formats over a fixed sample of the world's videos and of the questions the stage asks (its
 * question-types, as {@code worldring eval world-qa} measures its own), and some room is left for
 * longer texts than the sample had (what still does not fit is dropped and counted by the packer).
 * Deterministic for (mix, tokenizers, sequence length): no data seed is involved.
 */
final class VisionSizing {
  /** Example kinds whose length depends on the frame count. */
  enum Kind {
    QA("qa"), VIDEO_CAPTION("video-caption");

    final String key;

    Kind(String key) {
      this.key = key;
    }
  }

  private static final int PROBE_VIDEOS = 24;
  private static final long PROBE_SEED = 0x51CE5EEDL;

  private VisionSizing() {}

  /**
   * The world of a kind's videos: {@code requested} frames (checked to fit), or for {@code -1} the most
   * frames up to the world's own count that fit.
   */
  static WorldConfig world(Kind kind, WorldConfig world, int requested, Tokenizer text, VisionVocabulary vocab, int codesPerFrame,
      int questionsPerVideo, List<QuestionType> types, int seqLen) {
    Probe probe = new Probe(kind, text, vocab, codesPerFrame, questionsPerVideo, types, seqLen);
    if (requested > 0) {
      WorldConfig w = sized(world, requested);
      if (!probe.fits(w)) {
        int fit = probe.most(world, Math.max(requested, world.frames()));
        throw new BadInputException("data.vision.frames " + requested + ": " + kind.key + " examples of " + requested + " frames take about "
            + probe.longest(w) + " tokens, more than a sequence of " + seqLen + (fit > 0 ? "; at most " + fit + " frames fit (or use -1)" : ""));
      }
      return w;
    }
    int fit = probe.most(world, world.frames());
    if (fit == 0) {
      throw new BadInputException("data.vision: a sequence of " + seqLen + " tokens is too short for " + kind.key + " examples of even one frame"
          + " (they take about " + probe.longest(sized(world, 1)) + " tokens)");
    }
    return sized(world, fit);
  }

  /** Checks that still captions (one frame) fit. */
  static void checkStills(WorldConfig world, Tokenizer text, VisionVocabulary vocab, int codesPerFrame, int seqLen) {
    CaptionFormat format = new CaptionFormat(text, vocab);
    FrameCodes one = new FrameCodes(new int[1][codesPerFrame]);
    int longest = 0;
    for (int p = 0; p < PROBE_VIDEOS; p++) {
      WorldVideo video = WorldQaSource.video(world, PROBE_SEED, p);
      for (int t = 0; t < video.frames(); t += Math.max(1, video.frames() / 16)) {
        longest = Math.max(longest, format.format("probe", one, WorldCaptions.frame(video, t), ModalityOrder.VISION_FIRST).length());
      }
    }
    if (longest + room(longest - codesPerFrame - 1) > seqLen + 1) {
      throw new BadInputException("data.vision.caption-weight: a sequence of " + seqLen + " tokens is too short for still captions"
          + " (they take about " + longest + " tokens)");
    }
  }

  private static WorldConfig sized(WorldConfig world, int frames) {
    return frames == world.frames() ? world : world.withFrames(frames);
  }

  /** Tokens left for texts longer than the sample's longest. */
  private static int room(int textTokens) {
    return 8 + textTokens / 8;
  }

  /** Measures example lengths of one kind on the probe videos. */
  private record Probe(Kind kind, Tokenizer text, VisionVocabulary vocab, int codesPerFrame, int questionsPerVideo,
      List<QuestionType> types, int seqLen) {
    /** The longest probe example at this world's frame count. */
    int longest(WorldConfig w) {
      FrameCodes one = new FrameCodes(new int[1][codesPerFrame]);
      int perFrame = codesPerFrame + 1;
      int textLongest = 0;
      for (int p = 0; p < PROBE_VIDEOS; p++) {
        WorldVideo video = WorldQaSource.video(w, PROBE_SEED, p);
        if (kind == Kind.QA) {
          VideoQaFormat format = new VideoQaFormat(text, vocab);
          for (WorldQuestion q : WorldQaSource.questions(video, questionsPerVideo, types)) {
            textLongest = Math.max(textLongest, format.format("probe", one, q.question(), q.answer()).length() - perFrame);
          }
        } else {
          CaptionFormat format = new CaptionFormat(text, vocab);
          String caption = WorldCaptions.video(video);
          for (ModalityOrder o : ModalityOrder.values()) {
            textLongest = Math.max(textLongest, format.format("probe", one, caption, o).length() - perFrame);
          }
        }
      }
      return textLongest + room(textLongest) + w.frames() * perFrame;
    }

    boolean fits(WorldConfig w) {
      return longest(w) <= seqLen + 1;
    }

    /** The most frames in [1, max] that fit (by bisection: longer videos have longer texts too), or 0. */
    int most(WorldConfig world, int max) {
      if (!fits(sized(world, 1))) {
        return 0;
      }
      int lo = 1; // fits
      int hi = max + 1; // does not fit, or beyond the range
      while (hi - lo > 1) {
        int mid = (lo + hi) >>> 1;
        if (fits(sized(world, mid))) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      return lo;
    }
  }
}

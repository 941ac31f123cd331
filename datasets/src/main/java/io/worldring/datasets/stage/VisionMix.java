package io.worldring.datasets.stage;

import io.worldring.datasets.vision.world.QuestionType;
import io.worldring.datasets.vision.world.WorldConfig;
import io.worldring.model.BadInputException;
import io.worldring.model.vision.PatchCodebookConfig;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The vision-language part of a stage (LWM stage II), the config section {@code data.vision { ... }}: examples
 * from the synthetic world (long-video QA, captioning of stills and of videos, each with LWM's random
 * modality-order swap), packed to the sequence length like the text parts, plus LWM's share of pure-text
 * sequences. The part's mixture weight is {@link #weight()}, the sum of its three example weights; all 0
 * (the default) = no vision, and the stage is exactly a text stage.
 *
 * @param tokenizer {@code ""} = a patch codebook ({@code PatchCodebook}, k-means on patches) trained when the
 *     stage opens on frames of this section's world, with {@code frame-size}, {@code codes-per-frame} and
 *     {@code codebook-size}; deterministic from those keys and {@code world} alone, so every stage with the
 *     same keys (and {@code worldring ask}) gets the same codebook. Else a directory written by
 *     {@code worldring vision train-tokenizer} (or a VQGAN directory); the three keys are then not used.
 * @param frameSize side of a frame in pixels ({@code ""} tokenizer); the world is drawn at the tokenizer's size
 * @param codesPerFrame codes per frame, a square g*g with g dividing frame-size ({@code ""} tokenizer)
 * @param codebookSize codes in the codebook ({@code ""} tokenizer); the vision table has this + 2 rows
 * @param world the synthetic world's preset: {@code tiny} (64 frames, 6 objects) or {@code small} (512 frames,
 *     20 objects)
 * @param frames frames per video: {@code -1} = the world's frame count, cut down (per example kind) to the
 *     most frames whose examples fit the sequence length, as LWM grows its frame counts with the context;
 *     else exactly this many (an error at opening when its examples do not fit)
 * @param qaWeight weight of long-video QA examples (question, whole video, answer; loss on the answer)
 * @param captionWeight weight of still captioning: one frame and its caption, image to text or text to image
 * @param videoCaptionWeight weight of video captioning: the whole video and its caption, either order
 * @param textFraction of this part's sequences, the share that are pure-text windows of the stage's books
 *     (LWM: 0.16 in its first two vision stages); in [0, 1). Under {@code per-example} weighting a window
 *     weighs as one example, not one per token, so it does not drown the QA answers
 * @param lossShare the vision loss's share in LWM's vision/text loss average (LWM: 0.5), for the trainer's
 *     {@code BatchWeights.visionTextAverage}; in [0, 1]
 * @param questionsPerVideo QA examples asked about each generated video (each video is encoded once)
 * @param questionTypes the kinds of question QA examples ask ({@code [first-colour, before-or-after]}, say);
 *     empty (the default) = every kind
 */
public record VisionMix(String tokenizer, int frameSize, int codesPerFrame, int codebookSize, String world, int frames,
    double qaWeight, double captionWeight, double videoCaptionWeight, double textFraction, double lossShare,
    int questionsPerVideo, List<QuestionType> questionTypes) {
  /** No vision: the defaults of {@code worldring.stage-defaults.data.vision}. */
  public static final VisionMix NONE = new VisionMix("", 32, 16, 256, "tiny", -1, 0, 0, 0, 0.16, 0.5, 4, List.of());

  public VisionMix {
    if (tokenizer == null) {
      throw new BadInputException("data.vision.tokenizer must be set (\"\" = a patch codebook trained on the world)");
    }
    if (tokenizer.isEmpty()) {
      try {
        new PatchCodebookConfig(frameSize, codesPerFrame, codebookSize, 1, 1, codebookSize);
      } catch (IllegalArgumentException e) {
        throw new BadInputException("data.vision: frame-size " + frameSize + ", codes-per-frame " + codesPerFrame + ", codebook-size "
            + codebookSize + ": " + e.getMessage());
      }
    }
    worldPreset(world);
    if (frames < -1 || frames == 0) {
      throw new BadInputException("data.vision.frames must be -1 (fit the sequence) or a frame count >= 1, got " + frames);
    }
    weight(qaWeight, "qa-weight");
    weight(captionWeight, "caption-weight");
    weight(videoCaptionWeight, "video-caption-weight");
    if (!(textFraction >= 0 && textFraction < 1)) {
      throw new BadInputException("data.vision.text-fraction must be in [0, 1), got " + textFraction);
    }
    if (!(lossShare >= 0 && lossShare <= 1)) {
      throw new BadInputException("data.vision.loss-share must be in [0, 1], got " + lossShare);
    }
    if (questionsPerVideo < 1) {
      throw new BadInputException("data.vision.questions-per-video must be >= 1, got " + questionsPerVideo);
    }
    questionTypes = questionTypes == null ? List.of() : List.copyOf(new LinkedHashSet<>(questionTypes));
  }

  /** The question kinds QA examples ask, in {@link QuestionType} order: every kind when none was named. */
  public List<QuestionType> askedTypes() {
    return questionTypes.isEmpty() ? List.of(QuestionType.values()) : questionTypes.stream().sorted().toList();
  }

  /** The part's weight in the stage's mixture: QA, still and video captions together. */
  public double weight() {
    return qaWeight + captionWeight + videoCaptionWeight;
  }

  /** Whether the stage has a vision part. */
  public boolean enabled() {
    return weight() > 0;
  }

  /** The world preset by name, at its own frame size and frame count. */
  public static WorldConfig worldPreset(String name) {
    return switch (name == null ? "" : name.toLowerCase(Locale.ROOT)) {
      case "tiny" -> WorldConfig.tiny();
      case "small" -> WorldConfig.small();
      default -> throw new BadInputException("data.vision.world must be tiny or small, got '" + name + "'");
    };
  }

  private static void weight(double w, String key) {
    if (!(w >= 0) || Double.isInfinite(w)) {
      throw new BadInputException("data.vision." + key + " must be >= 0, got " + w);
    }
  }
}

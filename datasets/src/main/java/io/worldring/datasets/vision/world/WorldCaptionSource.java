package io.worldring.datasets.vision.world;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldring.datasets.vision.CaptionFormat;
import io.worldring.datasets.vision.FrameCodes;
import io.worldring.datasets.vision.IndexedDraw;
import io.worldring.datasets.vision.ModalityOrder;
import io.worldring.datasets.vision.ModalitySwap;
import io.worldring.datasets.vision.SourceStates;
import io.worldring.datasets.vision.VisionExample;
import io.worldring.datasets.vision.VisionExampleSource;
import io.worldring.datasets.vision.VisionTokenizer;
import io.worldring.model.BadInputException;
import io.worldring.model.SplitMix64;
import java.util.List;

/**
 * Captioning and generation examples from the synthetic world, each a new video generated from the seed and
 * the example's index: with {@code stills}, one random frame and its frame caption (image to text, text to
 * image); otherwise the whole video and its video caption (video to text, text to video; use a short
 * config, e.g. {@code WorldConfig.tiny().withFrames(8)}). The order is {@link ModalitySwap}'s for the index.
 * State: examples made.
 */
public final class WorldCaptionSource implements VisionExampleSource {
  private final WorldConfig config;
  private final VisionTokenizer tokenizer;
  private final CaptionFormat format;
  private final ModalitySwap swap;
  private final boolean stills;
  private final long seed;
  private long made;

  public WorldCaptionSource(WorldConfig config, VisionTokenizer tokenizer, CaptionFormat format, ModalitySwap swap, boolean stills,
      long seed) {
    if (config.frameSize() != tokenizer.frameSize()) {
      throw new BadInputException("world frames are " + config.frameSize() + " pixels, the vision tokenizer takes " + tokenizer.frameSize());
    }
    this.config = config;
    this.tokenizer = tokenizer;
    this.format = format;
    this.swap = swap;
    this.stills = stills;
    this.seed = seed;
  }

  @Override
  public VisionExample next() {
    SplitMix64 rng = IndexedDraw.generator(seed, made);
    WorldVideo video = WorldSimulator.generate(config, rng.nextLong());
    FrameCodes codes;
    String caption;
    if (stills) {
      int t = rng.nextInt(video.frames());
      codes = FrameCodes.encode(tokenizer, List.of(video.render(t)));
      caption = WorldCaptions.frame(video, t);
    } else {
      codes = FrameCodes.encode(tokenizer, video.render());
      caption = WorldCaptions.video(video);
    }
    ModalityOrder order = swap.order(made);
    String id = "world-" + (stills ? "image" : "video") + (order == ModalityOrder.VISION_FIRST ? "-to-text:" : "-from-text:") + made;
    made++;
    return format.format(id, codes, caption, order);
  }

  @Override
  public JsonNode state() {
    return SourceStates.object().put("made", made);
  }

  @Override
  public void restore(JsonNode state) {
    made = SourceStates.getLong(state, "made", "world captions");
  }
}

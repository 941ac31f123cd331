package io.worldring.datasets.vision;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldring.model.BadInputException;
import io.worldring.model.SplitMix64;
import java.util.List;

/**
 * Captioning and generation examples from a fixed list of pairs: pair order reshuffled every epoch, the
 * modality order of example k drawn by {@link ModalitySwap} from k. State: examples made.
 */
public final class CaptionSource implements VisionExampleSource {
  private final List<CaptionedVision> pairs;
  private final CaptionFormat format;
  private final ModalitySwap swap;
  private final long seed;
  private long made;
  private long orderEpoch = -1;
  private int[] order; // [pairs], this epoch's visiting order

  public CaptionSource(List<CaptionedVision> pairs, CaptionFormat format, ModalitySwap swap, long seed) {
    if (pairs.isEmpty()) {
      throw new BadInputException("captions: no image-text or video-text pairs");
    }
    this.pairs = List.copyOf(pairs);
    this.format = format;
    this.swap = swap;
    this.seed = seed;
  }

  @Override
  public VisionExample next() {
    long epoch = made / pairs.size();
    if (epoch != orderEpoch) {
      order = new SplitMix64(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1))).permutation(pairs.size());
      orderEpoch = epoch;
    }
    CaptionedVision p = pairs.get(order[(int) (made % pairs.size())]);
    ModalityOrder o = swap.order(made);
    VisionExample e = format.format(p.id() + (o == ModalityOrder.VISION_FIRST ? ":to-text" : ":to-vision") + ":" + made,
        p.vision(), p.caption(), o);
    made++;
    return e;
  }

  @Override
  public JsonNode state() {
    return SourceStates.object().put("made", made);
  }

  @Override
  public void restore(JsonNode state) {
    made = SourceStates.getLong(state, "made", "captions");
  }
}

package io.worldring.datasets.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.datasets.source.LossWeighting;
import io.worldring.datasets.source.SequenceStream;
import io.worldring.model.BadInputException;
import io.worldring.model.train.TrainingSequence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Masked sequence packing of vision-language examples, as {@link io.worldring.datasets.source.PackedStream}
 * packs text: examples one after another, each its own segment (attention never crosses segments) with
 * positions restarting at 0, the rest padding (text, its own segment, weight 0). An example of k tokens takes
 * k-1 places: inputs t0..t(k-2), targets t1..t(k-1); the vision masks follow the tokens, so
 * {@code visionInputs[i]} is token i's mask and {@code visionTargets[i]} token i+1's (the head that predicts
 * it), and a target's weight is set where its {@link VisionExample#lossKind} is not {@code NONE}: 1 per loss
 * token ({@code PER_TOKEN}), or 1 / the example's loss tokens of both kinds ({@code PER_EXAMPLE}, LWM's masked
 * packing). The vision/text average is the trainer's, over the whole batch.
 *
 * <p><b>Examples longer than a sequence are dropped</b>, not cut: the question of a QA example and the caption
 * of a generation example sit before the video, so keeping the end would teach answers to questions never
 * seen, and cutting the start of a video would make its frame numbers and caption wrong. The stage sizes its
 * videos so that examples fit ({@code data.vision.frames = -1}); {@link #dropped()} counts the rest, and the
 * count travels in the state, so checkpoints carry it. A source whose every example is too long is an error.
 * State: the source's (before the example pulled but not yet placed) and the drop count.
 */
public final class VisionPackedStream implements SequenceStream {
  /** Consecutive too-long examples after which the source is taken to be unable to fit at all. */
  static final int MAX_DROPS_IN_A_ROW = 64;

  private final VisionExampleSource source;
  private final int seqLen;
  private final int pad;
  private final LossWeighting weighting;
  private VisionExample pending; // pulled but not yet placed
  private JsonNode beforePending; // the source's state before it was pulled
  private long dropped;
  private long examples;
  private long visionLossTokens;
  private long textLossTokens;
  private long tokens;

  public VisionPackedStream(VisionExampleSource source, int seqLen, int pad, LossWeighting weighting) {
    if (seqLen < 1) {
      throw new BadInputException("sequence length must be positive, got " + seqLen);
    }
    this.source = source;
    this.seqLen = seqLen;
    this.pad = pad;
    this.weighting = weighting;
  }

  @Override
  public int sequenceLength() {
    return seqLen;
  }

  @Override
  public TrainingSequence next() {
    List<VisionExample> placed = new ArrayList<>();
    int used = 0;
    int dropsInARow = 0;
    while (true) {
      if (pending == null) {
        beforePending = source.state();
        VisionExample e = source.next();
        if (e.length() > seqLen + 1) {
          dropped++;
          if (++dropsInARow == MAX_DROPS_IN_A_ROW) {
            throw new BadInputException(MAX_DROPS_IN_A_ROW + " vision examples in a row are longer than a sequence of " + seqLen
                + " tokens (the last, " + e.id() + ", has " + e.length() + "); use fewer frames or a longer sequence");
          }
          continue;
        }
        dropsInARow = 0;
        if (e.length() < 2) {
          continue; // nothing to predict
        }
        pending = e;
      }
      int places = pending.length() - 1;
      if (used + places > seqLen) {
        break;
      }
      placed.add(pending);
      used += places;
      pending = null;
      if (used == seqLen) {
        break;
      }
    }
    return layout(placed);
  }

  private TrainingSequence layout(List<VisionExample> placed) {
    int[] in = new int[seqLen];
    int[] target = new int[seqLen];
    float[] weight = new float[seqLen];
    int[] position = new int[seqLen];
    int[] segment = new int[seqLen];
    boolean[] visionIn = new boolean[seqLen];
    boolean[] visionTarget = new boolean[seqLen];
    int at = 0;
    for (int s = 0; s < placed.size(); s++) {
      VisionExample e = placed.get(s);
      int nVision = e.lossTokens(LossKind.VISION);
      int nText = e.lossTokens(LossKind.TEXT);
      int n = nVision + nText;
      float w = weighting == LossWeighting.PER_TOKEN || n == 0 ? 1f : 1f / n;
      for (int i = 0; i < e.length() - 1; i++, at++) {
        in[at] = e.tokens()[i];
        target[at] = e.tokens()[i + 1];
        visionIn[at] = e.vision()[i];
        visionTarget[at] = e.vision()[i + 1];
        weight[at] = e.lossKind(i + 1) != LossKind.NONE ? w : 0f;
        position[at] = i;
        segment[at] = s;
      }
      examples++;
      visionLossTokens += nVision;
      textLossTokens += nText;
    }
    Arrays.fill(in, at, seqLen, pad);
    Arrays.fill(target, at, seqLen, pad);
    for (int i = at; i < seqLen; i++) {
      position[i] = i - at;
      segment[i] = placed.size();
    }
    tokens += seqLen;
    return new TrainingSequence(in, target, weight, position, segment, visionIn, visionTarget);
  }

  @Override
  public JsonNode state() {
    ObjectNode s = SourceStates.object();
    s.set("source", pending != null ? beforePending : source.state());
    s.put("dropped", dropped);
    return s;
  }

  @Override
  public void restore(JsonNode state) {
    source.restore(SourceStates.get(state, "source", "vision packing"));
    dropped = SourceStates.getLong(state, "dropped", "vision packing");
    pending = null;
  }

  /** Examples dropped for being longer than a sequence, over the run (restored with the state). */
  public long dropped() {
    return dropped;
  }

  /** Examples placed so far in this object's life. */
  public long examples() {
    return examples;
  }

  /** Of all sequence places produced in this object's life, the fraction that carries a vision loss. */
  public double visionLossFraction() {
    return tokens == 0 ? 0 : (double) visionLossTokens / tokens;
  }

  /** Of all sequence places produced in this object's life, the fraction that carries a text loss. */
  public double textLossFraction() {
    return tokens == 0 ? 0 : (double) textLossTokens / tokens;
  }
}

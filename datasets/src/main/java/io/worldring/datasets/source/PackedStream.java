package io.worldring.datasets.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.datasets.Example;
import io.worldring.model.train.TrainingSequence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Masked sequence packing: examples placed one after another in a sequence of fixed length, each with
 * its own segment id (attention never crosses segments) and positions restarting at 0; the rest is
 * padding (its own segment, weight 0). An example of k tokens takes k-1 places (inputs t0..t(k-2),
 * targets t1..t(k-1)); one longer than the sequence keeps its last tokens, where chat and QA answers
 * are. Examples go in their source's order; the first that does not fit starts the next sequence.
 */
public final class PackedStream implements SequenceStream {
  private final ExampleSource source;
  private final int seqLen;
  private final int pad;
  private final LossWeighting weighting;
  private Example pending; // pulled but not yet placed
  private JsonNode beforePending; // the source's state before it was pulled
  private long truncated;
  private long examples;
  private long lossTokens;
  private long tokens;

  public PackedStream(ExampleSource source, int seqLen, int pad, LossWeighting weighting) {
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
    List<Example> placed = new ArrayList<>();
    int used = 0;
    while (true) {
      if (pending == null) {
        beforePending = source.state();
        Example e = source.next();
        if (e.length() > seqLen + 1) {
          e = e.keepLast(seqLen + 1);
          truncated++;
        }
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

  private TrainingSequence layout(List<Example> placed) {
    int[] in = new int[seqLen];
    int[] target = new int[seqLen];
    float[] weight = new float[seqLen];
    int[] position = new int[seqLen];
    int[] segment = new int[seqLen];
    int at = 0;
    for (int s = 0; s < placed.size(); s++) {
      Example e = placed.get(s);
      int n = e.lossTokens();
      float w = weighting == LossWeighting.PER_TOKEN || n == 0 ? 1f : 1f / n;
      for (int i = 0; i < e.length() - 1; i++, at++) {
        in[at] = e.tokens()[i];
        target[at] = e.tokens()[i + 1];
        weight[at] = e.loss()[i + 1] ? w : 0f;
        position[at] = i;
        segment[at] = s;
      }
      examples++;
      lossTokens += n;
    }
    Arrays.fill(in, at, seqLen, pad);
    Arrays.fill(target, at, seqLen, pad);
    for (int i = at; i < seqLen; i++) {
      position[i] = i - at;
      segment[i] = placed.size();
    }
    tokens += seqLen;
    return new TrainingSequence(in, target, weight, position, segment);
  }

  @Override
  public JsonNode state() {
    ObjectNode s = States.object();
    s.set("source", pending != null ? beforePending : source.state());
    return s;
  }

  @Override
  public void restore(JsonNode state) {
    source.restore(States.get(state, "source", "packed"));
    pending = null;
  }

  /** Examples placed so far in this object's life. */
  public long examples() {
    return examples;
  }

  /** Of all sequence places produced, the fraction that carries a loss. */
  public double lossTokenFraction() {
    return tokens == 0 ? 0 : (double) lossTokens / tokens;
  }

  /** Examples longer than a sequence (cut to their last tokens). */
  public long truncated() {
    return truncated;
  }
}

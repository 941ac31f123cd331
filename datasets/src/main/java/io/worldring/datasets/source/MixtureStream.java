package io.worldring.datasets.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.BadInputException;
import io.worldring.model.SplitMix64;
import io.worldring.model.train.TrainingSequence;
import java.util.List;

/**
 * Draws each sequence from one of several streams with fixed probabilities (LWM mixes UltraChat-packed
 * sequences and QA sequences about 7:3). The draws are seeded; state is the generator's and every part's.
 */
public final class MixtureStream implements SequenceStream {
  private final List<SequenceStream> parts;
  private final double[] cumulative;
  private final SplitMix64 rng;

  public MixtureStream(List<SequenceStream> parts, double[] ratios, long seed) {
    if (parts.isEmpty() || parts.size() != ratios.length) {
      throw new BadInputException("a mixture needs one ratio per part");
    }
    int len = parts.get(0).sequenceLength();
    double total = 0;
    for (int i = 0; i < parts.size(); i++) {
      if (parts.get(i).sequenceLength() != len) {
        throw new BadInputException("mixture parts have different sequence lengths");
      }
      if (!(ratios[i] >= 0)) {
        throw new BadInputException("mixture ratios must be >= 0");
      }
      total += ratios[i];
    }
    if (!(total > 0)) {
      throw new BadInputException("mixture ratios sum to 0");
    }
    this.parts = List.copyOf(parts);
    this.cumulative = new double[ratios.length];
    double acc = 0;
    for (int i = 0; i < ratios.length; i++) {
      acc += ratios[i] / total;
      cumulative[i] = acc;
    }
    this.rng = new SplitMix64(seed);
  }

  @Override
  public int sequenceLength() {
    return parts.get(0).sequenceLength();
  }

  @Override
  public TrainingSequence next() {
    double u = rng.nextDouble();
    for (int i = 0; i < cumulative.length - 1; i++) {
      if (u < cumulative[i]) {
        return parts.get(i).next();
      }
    }
    return parts.get(parts.size() - 1).next();
  }

  @Override
  public JsonNode state() {
    ObjectNode s = States.object().put("rng", rng.state());
    ArrayNode a = s.putArray("parts");
    parts.forEach(p -> a.add(p.state()));
    return s;
  }

  @Override
  public void restore(JsonNode state) {
    JsonNode a = States.get(state, "parts", "mixture");
    if (!a.isArray() || a.size() != parts.size()) {
      throw new BadInputException("mixture state has " + a.size() + " parts, the mixture " + parts.size());
    }
    rng.restore(States.getLong(state, "rng", "mixture"));
    for (int i = 0; i < parts.size(); i++) {
      parts.get(i).restore(a.get(i));
    }
  }
}

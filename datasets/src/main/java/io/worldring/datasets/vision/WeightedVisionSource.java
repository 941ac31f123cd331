package io.worldring.datasets.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.BadInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * Examples from several named sources, example k taken from the source that a draw on (seed, k) picks by
 * weight, so the mix of kinds does not depend on anything but the index. The state names the sources, so a
 * state saved under one mix of kinds is refused by another. State: names, examples made, every source's.
 */
public final class WeightedVisionSource implements VisionExampleSource {
  private final List<String> names;
  private final List<VisionExampleSource> sources;
  private final double[] cumulative; // [sources], the last 1
  private final long seed;
  private final long[] taken; // [sources], examples taken from each in this object's life
  private long made;

  public WeightedVisionSource(List<String> names, List<VisionExampleSource> sources, double[] weights, long seed) {
    if (sources.isEmpty() || names.size() != sources.size() || weights.length != sources.size()) {
      throw new IllegalArgumentException("one name and one weight per source, and at least one source");
    }
    double total = 0;
    for (double w : weights) {
      if (!(w > 0) || Double.isInfinite(w)) {
        throw new BadInputException("vision source weights must be > 0, got " + w);
      }
      total += w;
    }
    this.names = List.copyOf(names);
    this.sources = List.copyOf(sources);
    this.cumulative = new double[weights.length];
    double acc = 0;
    for (int i = 0; i < weights.length; i++) {
      acc += weights[i] / total;
      cumulative[i] = acc;
    }
    cumulative[weights.length - 1] = 1;
    this.seed = seed;
    this.taken = new long[sources.size()];
  }

  @Override
  public VisionExample next() {
    double u = IndexedDraw.unit(seed, made);
    int i = 0;
    while (u >= cumulative[i] && i < cumulative.length - 1) {
      i++;
    }
    made++;
    taken[i]++;
    return sources.get(i).next();
  }

  /** Examples taken from each source in this object's life, in the order of the names. */
  public long[] taken() {
    return taken.clone();
  }

  @Override
  public JsonNode state() {
    ObjectNode s = SourceStates.object();
    ArrayNode n = s.putArray("names");
    names.forEach(n::add);
    s.put("made", made);
    ArrayNode a = s.putArray("sources");
    sources.forEach(src -> a.add(src.state()));
    return s;
  }

  @Override
  public void restore(JsonNode state) {
    JsonNode n = SourceStates.get(state, "names", "vision sources");
    JsonNode a = SourceStates.get(state, "sources", "vision sources");
    List<String> saved = new ArrayList<>();
    n.forEach(x -> saved.add(x.asText()));
    if (!saved.equals(names) || !a.isArray() || a.size() != sources.size()) {
      throw new BadInputException("the vision state is for example kinds " + saved + " but this stage has " + names
          + " (the data mix changed since it was saved)");
    }
    made = SourceStates.getLong(state, "made", "vision sources");
    for (int i = 0; i < sources.size(); i++) {
      sources.get(i).restore(a.get(i));
    }
  }
}

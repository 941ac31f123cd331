package io.worldring.datasets.stage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.datasets.source.MixtureStream;
import io.worldring.datasets.source.SequenceStream;
import io.worldring.model.BadInputException;
import io.worldring.model.train.TrainingSequence;
import java.util.ArrayList;
import java.util.List;

/**
 * A stage's mixture with the names of its parts in its state. Two mixes can have parts whose states
 * look alike (UltraChat and QA are both shuffled lists), so a checkpoint taken under one data mix could
 * otherwise restore into another without complaint; the names make that an error.
 */
final class StageStream implements SequenceStream {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> names;
  private final MixtureStream mixture;

  StageStream(List<String> names, MixtureStream mixture) {
    this.names = List.copyOf(names);
    this.mixture = mixture;
  }

  @Override
  public int sequenceLength() {
    return mixture.sequenceLength();
  }

  @Override
  public TrainingSequence next() {
    return mixture.next();
  }

  @Override
  public JsonNode state() {
    ObjectNode s = JSON.createObjectNode();
    ArrayNode a = s.putArray("parts");
    names.forEach(a::add);
    s.set("mixture", mixture.state());
    return s;
  }

  @Override
  public void restore(JsonNode state) {
    JsonNode parts = state == null ? null : state.get("parts");
    JsonNode inner = state == null ? null : state.get("mixture");
    if (parts == null || !parts.isArray() || inner == null) {
      throw new BadInputException("stage data state lacks 'parts' or 'mixture': " + state);
    }
    List<String> saved = new ArrayList<>();
    parts.forEach(p -> saved.add(p.asText()));
    if (!saved.equals(names)) {
      throw new BadInputException("the data state is for parts " + saved + " but this stage mixes " + names
          + " (the data mix changed since it was saved)");
    }
    mixture.restore(inner);
  }
}

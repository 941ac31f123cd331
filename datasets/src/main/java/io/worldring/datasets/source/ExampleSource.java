package io.worldring.datasets.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldring.datasets.Example;

/** Examples (before packing), endless, deterministic for a seed and resumable like {@link SequenceStream}. */
public interface ExampleSource {
  Example next();

  JsonNode state();

  void restore(JsonNode state);
}

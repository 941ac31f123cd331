package io.worldring.datasets.vision;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Vision-language examples (before packing), endless, deterministic for a seed and resumable like
 * {@link io.worldring.datasets.source.ExampleSource}: {@link #state()} after k examples restored into a
 * fresh source gives the same example k+1 onwards.
 */
public interface VisionExampleSource {
  VisionExample next();

  JsonNode state();

  void restore(JsonNode state);
}

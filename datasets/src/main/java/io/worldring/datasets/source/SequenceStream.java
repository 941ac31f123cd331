package io.worldring.datasets.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldring.model.train.TrainingSequence;

/**
 * Training sequences of one length, deterministic for a seed and resumable: {@link #state()} taken after
 * k sequences and {@link #restore} into a fresh stream give the same sequence k+1 onwards.
 */
public interface SequenceStream {
  /** Tokens per sequence. */
  int sequenceLength();

  TrainingSequence next();

  JsonNode state();

  void restore(JsonNode state);
}

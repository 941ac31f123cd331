package io.worldring.ops.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldring.model.ModelConfig;
import io.worldring.model.train.StepResult;
import io.worldring.model.train.TrainingSequence;
import java.nio.file.Path;
import java.util.List;

/** Where a run's steps execute: one device in this JVM, or a ring of device actors. */
public interface StepBackend extends AutoCloseable {
  ModelConfig config();

  /** Runs and applies step {@code step} (0-based) of {@code batch}. */
  StepResult step(long step, List<TrainingSequence> batch);

  /** Writes a checkpoint of the weights and optimizer, with the run's training state. */
  void saveCheckpoint(Path directory, long step, JsonNode trainingState);

  @Override
  void close();
}

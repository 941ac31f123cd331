package io.worldring.ops.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldring.actors.device.ModelSpec;
import io.worldring.model.ModelConfig;
import io.worldring.model.io.Checkpoint;
import io.worldring.model.train.SingleDeviceTrainer;
import io.worldring.model.train.StepResult;
import io.worldring.model.train.TrainingSequence;
import java.nio.file.Path;
import java.util.List;

/** Training on this JVM's single device. */
final class SingleDeviceBackend implements StepBackend {
  private final SingleDeviceTrainer trainer;

  SingleDeviceBackend(ModelSpec spec) {
    ModelSpec.Replica replica = spec.build();
    this.trainer = new SingleDeviceTrainer(replica.model(), replica.optimizer());
  }

  @Override
  public ModelConfig config() {
    return trainer.model().config();
  }

  @Override
  public StepResult step(long step, List<TrainingSequence> batch) {
    return trainer.step(batch);
  }

  @Override
  public void saveCheckpoint(Path directory, long step, JsonNode trainingState) {
    Checkpoint.save(directory, trainer.model().config(), trainer.model().parameters(), trainer.optimizer(), step, trainingState);
  }

  @Override
  public void close() {
    // nothing held beyond the heap
  }
}

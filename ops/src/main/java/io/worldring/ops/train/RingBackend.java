package io.worldring.ops.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldring.actors.Ring;
import io.worldring.actors.driver.StepOutcome;
import io.worldring.model.ModelConfig;
import io.worldring.model.train.OptimizerConfig;
import io.worldring.model.train.StepResult;
import io.worldring.model.train.TrainingSequence;
import java.nio.file.Path;
import java.util.List;

/** Training on a ring of device actors (in this JVM or across a cluster). */
public final class RingBackend implements StepBackend {
  private final Ring ring;
  private final ModelConfig config;
  private final OptimizerConfig optimizer;

  public RingBackend(Ring ring, ModelConfig config, OptimizerConfig optimizer) {
    this.ring = ring;
    this.config = config;
    this.optimizer = optimizer;
  }

  @Override
  public ModelConfig config() {
    return config;
  }

  @Override
  public StepResult step(long step, List<TrainingSequence> batch) {
    double lr = optimizer.learningRateAt(step);
    StepOutcome o = ring.step(step, batch, lr, true, false);
    return new StepResult(step, o.loss(), o.gradNorm(), lr, o.tokens());
  }

  @Override
  public void saveCheckpoint(Path directory, long step, JsonNode trainingState) {
    ring.saveCheckpoint(directory.toAbsolutePath().toString(), step, trainingState.toString());
  }

  @Override
  public void close() {
    ring.close();
  }
}

package io.worldring.actors;

import io.worldring.actors.driver.StepOutcome;
import io.worldring.model.train.TrainingSequence;
import java.util.List;

/** A formed ring of devices, in this JVM or across a cluster, driven one step at a time. */
public interface Ring extends AutoCloseable {
  int devices();

  /**
   * Runs one step; with {@code apply} every device applies the reduced gradient at {@code learningRate};
   * with {@code gradients} the outcome carries the reduced gradient.
   */
  StepOutcome step(long step, List<TrainingSequence> batch, double learningRate, boolean apply, boolean gradients);

  /**
   * Inference: a forward pass over the ring (each sequence split over the devices by the layout); returns,
   * per sequence, the logits at index {@code positions[s]} of that sequence, [vocab].
   */
  float[][] logits(List<TrainingSequence> batch, int[] positions);

  /** Device 0 writes a checkpoint (weights, optimizer, the given training state as JSON). */
  void saveCheckpoint(String directory, long step, String trainingStateJson);

  @Override
  void close();
}

package io.worldring.ops.train;

import io.worldring.model.BadInputException;
import io.worldring.model.train.OptimizerConfig;

/**
 * A single-device training run, as configured under {@code worldring.train} (see reference.conf for each
 * key's meaning). An optimizer {@code total-steps} of 0 becomes {@code steps}.
 */
public record TrainSettings(
    String preset,
    String initFrom,
    String data,
    int seqLen,
    int batchSize,
    int steps,
    long seed,
    int devices,
    String layout,
    double ropeTheta,
    int attentionBlock,
    boolean recompute,
    int checkpointEvery,
    int keepCheckpoints,
    OptimizerConfig optimizer) {

  public TrainSettings {
    if (seqLen < 2) {
      throw new BadInputException("seq-len must be at least 2, got " + seqLen);
    }
    if (batchSize < 1 || steps < 1) {
      throw new BadInputException("batch-size and steps must be positive");
    }
    if (devices < 1) {
      throw new BadInputException("devices must be positive, got " + devices);
    }
    io.worldring.ring.SequenceLayout.parse(layout);
    if (attentionBlock < 1 || checkpointEvery < 1 || keepCheckpoints < 1) {
      throw new BadInputException("attention-block, checkpoint-every and keep-checkpoints must be positive");
    }
    if (optimizer.totalSteps() == 0) {
      optimizer = optimizer.withTotalSteps(steps);
    }
    if (ropeTheta != 0 && !(ropeTheta > 1)) {
      throw new BadInputException("rope-theta must be 0 (keep the model's) or > 1, got " + ropeTheta);
    }
  }
}

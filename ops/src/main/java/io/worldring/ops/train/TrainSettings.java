package io.worldring.ops.train;

import io.worldring.model.BadInputException;
import io.worldring.model.train.OptimizerConfig;

/**
 * A training run, as configured under {@code worldring.train} (see reference.conf for each key's meaning).
 * The curriculum's stages come from {@code worldring.curricula} ({@link Curricula}); with curriculum
 * {@code single}, from seq-len, batch-size, steps, rope-theta, data and optimizer here.
 */
public record TrainSettings(
    String preset,
    String curriculum,
    String initFrom,
    String data,
    int seqLen,
    int batchSize,
    int steps,
    long seed,
    int devices,
    int minDevices,
    int maxDevices,
    String layout,
    double ropeTheta,
    int attentionBlock,
    boolean recompute,
    int checkpointEvery,
    int keepCheckpoints,
    int retryDelayMs,
    int formTimeoutSeconds,
    int stepTimeoutSeconds,
    OptimizerConfig optimizer) {

  public TrainSettings {
    if (seqLen < 2) {
      throw new BadInputException("seq-len must be at least 2, got " + seqLen);
    }
    if (batchSize < 1 || steps < 1) {
      throw new BadInputException("batch-size and steps must be positive");
    }
    if (devices < 0) {
      throw new BadInputException("devices must be >= 0, got " + devices);
    }
    if (minDevices < 1 || maxDevices < 0) {
      throw new BadInputException("min-devices must be >= 1 and max-devices >= 0");
    }
    io.worldring.ring.SequenceLayout.parse(layout);
    if (attentionBlock < 1 || checkpointEvery < 1 || keepCheckpoints < 1) {
      throw new BadInputException("attention-block, checkpoint-every and keep-checkpoints must be positive");
    }
    if (retryDelayMs < 0 || formTimeoutSeconds < 1 || stepTimeoutSeconds < 1) {
      throw new BadInputException("retry-delay-ms must be >= 0, form-timeout-seconds and step-timeout-seconds positive");
    }
    if (optimizer.totalSteps() == 0) {
      optimizer = optimizer.withTotalSteps(steps);
    }
    if (ropeTheta != 0 && !(ropeTheta > 1)) {
      throw new BadInputException("rope-theta must be 0 (keep the model's) or > 1, got " + ropeTheta);
    }
  }
}

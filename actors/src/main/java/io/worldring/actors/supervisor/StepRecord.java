package io.worldring.actors.supervisor;

/**
 * One committed step, as logged to metrics.jsonl.
 *
 * @param step global step number, 1-based (steps done after this one)
 * @param stage the stage's name
 * @param stageStep the step within the stage, 1-based
 * @param stageSteps the stage's steps
 * @param loss mean loss per unit of loss weight
 * @param gradNorm gradient norm before clipping
 * @param learningRate the rate applied
 * @param tokens tokens in the batch
 * @param seconds wall time from the step's first attempt to its commit (includes recovery)
 * @param devices the ring's size
 * @param attempts rounds it took (1 when nothing failed)
 * @param failures failures so far in the run's life on this supervisor
 * @param membershipChanges planned ring changes (joins, leaves) so far
 * @param overlapRatios per device in ring order: hop compute ÷ (compute + wait) in the committed round
 * @param mfu model FLOPs ÷ {@code seconds} ÷ (configured peak FLOP/s per device × devices)
 */
public record StepRecord(long step, String stage, long stageStep, long stageSteps, double loss, double gradNorm, double learningRate,
    long tokens, double seconds, int devices, int attempts, long failures, long membershipChanges,
    double[] overlapRatios, double mfu) {
  public double tokensPerSecond() {
    return tokens / seconds;
  }
}

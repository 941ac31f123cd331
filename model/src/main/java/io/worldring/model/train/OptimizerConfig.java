package io.worldring.model.train;

import io.worldring.model.BadInputException;

/**
 * AdamW and its schedule. LWM's values: b1 0.9, b2 0.95, weight decay 0.1, clip 1.0, constant LR with
 * linear warmup.
 *
 * @param learningRate peak learning rate
 * @param warmupSteps linear warmup from 0 over this many steps
 * @param schedule {@code constant} or {@code cosine} (decays to {@code minLearningRate} at {@code totalSteps})
 * @param minLearningRate floor of the cosine schedule
 * @param totalSteps the step count the cosine schedule spans (0: not yet known, see {@link #withTotalSteps})
 * @param beta1 first-moment decay
 * @param beta2 second-moment decay
 * @param eps denominator epsilon
 * @param weightDecay decoupled weight decay (matrices only; norms are not decayed)
 * @param gradClip global gradient-norm clip (0 disables)
 */
public record OptimizerConfig(
    double learningRate,
    int warmupSteps,
    String schedule,
    double minLearningRate,
    int totalSteps,
    double beta1,
    double beta2,
    double eps,
    double weightDecay,
    double gradClip) {

  public OptimizerConfig {
    if (!(learningRate > 0)) {
      throw new BadInputException("optimizer: learning-rate must be positive, got " + learningRate);
    }
    if (warmupSteps < 0) {
      throw new BadInputException("optimizer: warmup-steps must be >= 0, got " + warmupSteps);
    }
    if (!schedule.equals("constant") && !schedule.equals("cosine")) {
      throw new BadInputException("optimizer: schedule must be constant or cosine, got '" + schedule + "'");
    }
    if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) {
      throw new BadInputException("optimizer: beta1 and beta2 must be in [0, 1)");
    }
    if (totalSteps < 0) {
      throw new BadInputException("optimizer: total-steps must be >= 0, got " + totalSteps);
    }
    if (!(eps > 0) || weightDecay < 0 || gradClip < 0) {
      throw new BadInputException("optimizer: eps must be positive, weight-decay and grad-clip non-negative");
    }
  }

  /** A placeholder for replicas that only run inference (never stepped). */
  public static OptimizerConfig inference() {
    return new OptimizerConfig(1e-3, 0, "constant", 0, 1, 0.9, 0.95, 1e-8, 0, 1);
  }

  public OptimizerConfig withTotalSteps(int steps) {
    return new OptimizerConfig(learningRate, warmupSteps, schedule, minLearningRate, steps, beta1, beta2, eps, weightDecay, gradClip);
  }

  /** LWM's AdamW settings with the given learning rate and warmup. */
  public static OptimizerConfig lwm(double learningRate, int warmupSteps, int totalSteps) {
    return new OptimizerConfig(learningRate, warmupSteps, "constant", 0.0, totalSteps, 0.9, 0.95, 1e-8, 0.1, 1.0);
  }

  /** The learning rate of (0-based) step {@code step}. */
  public double learningRateAt(long step) {
    if (warmupSteps > 0 && step < warmupSteps) {
      return learningRate * (step + 1) / warmupSteps;
    }
    if (schedule.equals("constant")) {
      return learningRate;
    }
    long decaySteps = Math.max(1, totalSteps - warmupSteps);
    double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
    return minLearningRate + 0.5 * (learningRate - minLearningRate) * (1 + Math.cos(Math.PI * progress));
  }
}

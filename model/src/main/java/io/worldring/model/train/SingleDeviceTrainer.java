package io.worldring.model.train;

import io.worldring.model.BadInputException;
import io.worldring.model.LlamaModel;
import io.worldring.model.Parameters;
import java.util.List;

/**
 * Training on one device: forward and backward of each sequence of the batch (gradients accumulate),
 * normalisation by the batch's total loss weight, global-norm clipping, AdamW. This is the reference a
 * ring of devices is checked against.
 */
public final class SingleDeviceTrainer {
  private final LlamaModel model;
  private final AdamW optimizer;
  private final Parameters grads;

  public SingleDeviceTrainer(LlamaModel model, AdamW optimizer) {
    this.model = model;
    this.optimizer = optimizer;
    this.grads = model.parameters().zerosLike();
  }

  public LlamaModel model() {
    return model;
  }

  public AdamW optimizer() {
    return optimizer;
  }

  /** Runs one step over {@code batch}; the step number is the optimizer's. */
  public StepResult step(List<TrainingSequence> batch) {
    double totalWeight = 0;
    long tokens = 0;
    for (TrainingSequence s : batch) {
      totalWeight += s.totalWeight();
      tokens += s.length();
    }
    if (!(totalWeight > 0)) {
      throw new BadInputException("a training batch has no token with a loss weight");
    }
    grads.zero();
    double lossSum = 0;
    for (TrainingSequence s : batch) {
      lossSum += model.lossAndGradients(s, grads);
    }
    grads.muli(1.0 / totalWeight);
    double gradNorm = GradientClipping.clip(grads, optimizer.config().gradClip());
    long step = optimizer.step();
    double lr = optimizer.config().learningRateAt(step);
    optimizer.update(model.parameters(), grads, lr);
    return new StepResult(step, lossSum / totalWeight, gradNorm, lr, tokens);
  }
}

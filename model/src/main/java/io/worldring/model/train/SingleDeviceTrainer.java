package io.worldring.model.train;

import io.worldring.model.LlamaModel;
import io.worldring.model.Parameters;
import java.util.List;

/**
 * Training on one device: loss weights normalised over the batch ({@link BatchWeights}), forward and
 * backward of each sequence (gradients accumulate), global-norm clipping, AdamW. This is the reference a
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
    long tokens = 0;
    for (TrainingSequence s : batch) {
      tokens += s.length();
    }
    grads.zero();
    double loss = 0;
    for (TrainingSequence s : BatchWeights.normalise(batch)) {
      loss += model.lossAndGradients(s, grads);
    }
    double gradNorm = GradientClipping.clip(grads, optimizer.config().gradClip());
    long step = optimizer.step();
    double lr = optimizer.config().learningRateAt(step);
    optimizer.update(model.parameters(), grads, lr);
    return new StepResult(step, loss, gradNorm, lr, tokens);
  }
}

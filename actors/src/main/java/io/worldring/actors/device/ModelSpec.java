package io.worldring.actors.device;

import io.worldring.model.LlamaModel;
import io.worldring.model.ModelConfig;
import io.worldring.model.ParameterLayout;
import io.worldring.model.Parameters;
import io.worldring.model.io.Checkpoint;
import io.worldring.model.train.AdamW;
import io.worldring.model.train.OptimizerConfig;
import io.worldring.ring.WireMessage;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What every device of a ring builds its replica from: the same config and seed (or checkpoint) give
 * bit-identical weights on every device, so no weights need to travel.
 *
 * @param model the model shape (its rope theta is the one trained with)
 * @param seed initial-weights seed, when {@code checkpoint} is empty
 * @param checkpoint a checkpoint directory to start from (weights, and optimizer moments if it has them), or ""
 * @param optimizer AdamW settings
 * @param attentionBlock tokens per attention tile
 * @param recompute activation checkpointing
 */
public record ModelSpec(ModelConfig model, long seed, String checkpoint, OptimizerConfig optimizer, int attentionBlock,
    boolean recompute) implements WireMessage {

  /** A replica: the model and its optimizer. */
  public record Replica(LlamaModel model, AdamW optimizer) {}

  public Replica build() {
    LlamaModel.ComputeOptions options = new LlamaModel.ComputeOptions(attentionBlock, recompute, 1024);
    if (checkpoint.isEmpty()) {
      Parameters weights = ParameterLayout.initialize(model, seed, DataType.FLOAT);
      return new Replica(new LlamaModel(model, weights, options), new AdamW(optimizer, weights));
    }
    Checkpoint.Loaded ck = Checkpoint.load(Checkpoint.resolve(java.nio.file.Path.of(checkpoint)), DataType.FLOAT);
    ModelConfig config = ck.config().withRopeTheta(model.ropeTheta());
    return new Replica(new LlamaModel(config, ck.weights(), options), ck.optimizer(optimizer));
  }
}

package io.worldring.actors.device;

import io.worldring.model.BadInputException;
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
 * @param checkpoint a checkpoint directory to start from, or ""
 * @param resumeOptimizer continue the checkpoint's optimizer moments and step (resuming a run); otherwise
 *     only its weights are taken (a new run, or a new curriculum stage)
 * @param optimizer AdamW settings
 * @param attentionBlock tokens per attention tile
 * @param recompute activation checkpointing
 * @param resetAttention when starting a stage from {@code checkpoint} (not resuming), draw every layer's query
 *     and key projections afresh ({@link ParameterLayout#resetAttentionScores}, seeded by {@code seed})
 */
public record ModelSpec(ModelConfig model, long seed, String checkpoint, boolean resumeOptimizer, OptimizerConfig optimizer,
    int attentionBlock, boolean recompute, boolean resetAttention) implements WireMessage {

  public ModelSpec(ModelConfig model, long seed, String checkpoint, boolean resumeOptimizer, OptimizerConfig optimizer, int attentionBlock,
      boolean recompute) {
    this(model, seed, checkpoint, resumeOptimizer, optimizer, attentionBlock, recompute, false);
  }

  /** A replica: the model and its optimizer. */
  public record Replica(LlamaModel model, AdamW optimizer) {}

  /** The same replica, continued from {@code dir}'s weights and optimizer moments (a resumed run). */
  public ModelSpec resumingFrom(String dir) {
    return new ModelSpec(model, seed, dir, true, optimizer, attentionBlock, recompute, resetAttention);
  }

  /** How a replica of this spec computes. */
  public LlamaModel.ComputeOptions computeOptions() {
    return new LlamaModel.ComputeOptions(attentionBlock, recompute, 1024);
  }

  public Replica build() {
    LlamaModel.ComputeOptions options = computeOptions();
    if (checkpoint.isEmpty()) {
      Parameters weights = ParameterLayout.initialize(model, seed, DataType.FLOAT);
      return new Replica(new LlamaModel(model, weights, options), new AdamW(optimizer, weights));
    }
    Checkpoint.Loaded ck = Checkpoint.load(Checkpoint.resolve(java.nio.file.Path.of(checkpoint)), DataType.FLOAT);
    // The spec's shape says the theta and the context this replica trains at; the checkpoint gives the weights.
    ModelConfig config = ck.config().withRopeTheta(model.ropeTheta()).withMaxSeqLen(model.maxSeqLen());
    Parameters weights = ck.weights();
    if (model.hasVision() && !config.hasVision()) {
      // LWM's stage II: a text model gains vision tables (initialised as a fresh vision model of this seed
      // would have them) and trains on from there, with a fresh optimizer.
      if (resumeOptimizer) {
        throw new BadInputException(checkpoint + ": a text checkpoint cannot resume a vision stage's optimizer");
      }
      config = config.withVisionVocab(model.visionVocabSize());
      weights = ParameterLayout.addVisionTables(config, weights, seed);
    } else if (model.visionVocabSize() != config.visionVocabSize() && model.hasVision()) {
      throw new BadInputException(checkpoint + ": its vision vocabulary is " + config.visionVocabSize() + ", this stage's is "
          + model.visionVocabSize() + " (a different vision tokenizer)");
    }
    if (resetAttention && !resumeOptimizer) {
      weights = ParameterLayout.resetAttentionScores(config, weights, seed);
    }
    AdamW adam = resumeOptimizer ? ck.optimizer(optimizer) : new AdamW(optimizer, weights);
    return new Replica(new LlamaModel(config, weights, options), adam);
  }
}

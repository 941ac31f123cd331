package io.worldring.actors.supervisor;

import io.worldring.datasets.stage.DataMix;
import io.worldring.model.BadInputException;

/**
 * One stage of the curriculum (LWM trains 32K → 128K → 256K → 512K → 1M tokens, raising RoPE theta with
 * the context). A stage starts from the final weights of the stage before it, or of {@code initFromStage}
 * (LWM's chat stages start from the pre-trained model of the same context length), with a fresh optimizer.
 *
 * @param name unique within the curriculum
 * @param seqLen tokens per sequence
 * @param ropeTheta RoPE base for this stage
 * @param steps optimizer steps (0: derived from {@code tokens})
 * @param tokens tokens to train on, when {@code steps} is 0: steps = ceil(tokens / tokens-per-batch)
 * @param tokensPerBatch tokens per optimizer step; a multiple of {@code seqLen}
 * @param learningRate peak learning rate
 * @param warmupSteps linear warmup steps
 * @param chat a chat fine-tuning stage (UltraChat + QA; loss on answers only); informational, the data says what is read
 * @param initFromStage "" = the previous stage's final weights (the run's init weights for the first stage)
 * @param data what the stage reads
 * @param schedule the learning-rate schedule over the stage: constant or cosine; "" = the run's
 *     ({@code worldring.train.optimizer.schedule})
 * @param resetAttention start with every layer's query and key projections drawn afresh (the rest of the
 *     weights as the stage starts from them): for a vision stage from a text checkpoint, whose attention
 *     otherwise left the new vision tokens unread in the runs measured ({@code ParameterLayout.resetAttentionScores})
 */
public record Stage(String name, int seqLen, double ropeTheta, int steps, long tokens, int tokensPerBatch, double learningRate,
    int warmupSteps, boolean chat, String initFromStage, DataMix data, String schedule, boolean resetAttention) {

  /** A stage on the run's schedule that keeps the attention it starts from. */
  public Stage(String name, int seqLen, double ropeTheta, int steps, long tokens, int tokensPerBatch, double learningRate, int warmupSteps,
      boolean chat, String initFromStage, DataMix data) {
    this(name, seqLen, ropeTheta, steps, tokens, tokensPerBatch, learningRate, warmupSteps, chat, initFromStage, data, "", false);
  }

  public Stage {
    String where = "stage '" + name + "': ";
    if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
      throw new BadInputException("stage name '" + name + "' must be letters, digits, '.', '_' or '-'");
    }
    if (seqLen < 2) {
      throw new BadInputException(where + "seq-len must be at least 2, got " + seqLen);
    }
    if (!(ropeTheta > 1)) {
      throw new BadInputException(where + "rope-theta must be > 1, got " + ropeTheta);
    }
    if (tokensPerBatch < seqLen || tokensPerBatch % seqLen != 0) {
      throw new BadInputException(where + "tokens-per-batch (" + tokensPerBatch + ") must be a positive multiple of seq-len (" + seqLen + ")");
    }
    if (steps < 0 || tokens < 0 || steps == 0 && tokens == 0) {
      throw new BadInputException(where + "give steps or tokens (both >= 0, not both 0)");
    }
    if (steps == 0) {
      long derived = (tokens + tokensPerBatch - 1) / tokensPerBatch;
      if (derived > Integer.MAX_VALUE) {
        throw new BadInputException(where + "tokens " + tokens + " make more than 2^31 steps");
      }
      steps = (int) derived;
    }
    if (!(learningRate > 0) || warmupSteps < 0) {
      throw new BadInputException(where + "learning-rate must be > 0 and warmup-steps >= 0");
    }
    if (schedule == null || !schedule.isEmpty() && !schedule.equals("constant") && !schedule.equals("cosine")) {
      throw new BadInputException(where + "schedule must be constant, cosine or \"\" (the run's), got '" + schedule + "'");
    }
  }

  /** Sequences per optimizer step. */
  public int batchSize() {
    return tokensPerBatch / seqLen;
  }
}

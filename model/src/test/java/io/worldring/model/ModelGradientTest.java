package io.worldring.model;

import io.worldring.model.train.TrainingSequence;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/** Finite-difference check (fp64) of the whole model's loss gradient: every parameter tensor. */
class ModelGradientTest {

  @ParameterizedTest(name = "tied={0} recompute={1} attentionBlock={2}")
  @CsvSource({"false, false, 4", "true, true, 3", "false, true, 16"})
  void wholeModel(boolean tied, boolean recompute, int attentionBlock) {
    ModelConfig config = new ModelConfig(16, 2, 4, 2, 24, 13, 1e-5, 10_000, 64, tied);
    Parameters p = ParameterLayout.initialize(config, 21, DataType.DOUBLE);
    SplitMix64 rng = new SplitMix64(22);
    for (String name : p.names()) {
      var t = p.get(name);
      t.addi(TestTensors.random(rng, DataType.DOUBLE, t.rank() == 1 ? 0.3 : 0.3, t.shape()));
    }
    LlamaModel model = new LlamaModel(config, p, new LlamaModel.ComputeOptions(attentionBlock, recompute, 5));
    // Two packed examples: positions restart, segments differ, some tokens carry no loss.
    TrainingSequence seq = new TrainingSequence(
        new int[] {1, 5, 7, 2, 9, 1, 4, 4, 12, 0, 3},
        new int[] {5, 7, 2, 9, 0, 4, 4, 12, 0, 3, 8},
        new float[] {0.1f, 0.1f, 0.1f, 0.1f, 0f, 0f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f},
        new int[] {0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5},
        new int[] {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1});
    Parameters grads = p.zerosLike();
    model.lossAndGradients(seq, grads);
    GradientChecker checker = new GradientChecker();
    for (String name : p.names()) {
      checker.add(name, p.get(name), grads.get(name));
    }
    checker.check("whole model", () -> model.loss(seq), 5, 23);
  }
}

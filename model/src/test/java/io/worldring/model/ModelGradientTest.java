package io.worldring.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.train.TrainingSequence;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/** Finite-difference check (fp64) of the whole model's loss gradient: every parameter tensor, text and vision. */
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

  /**
   * The vision tables (LWM stage II): two packed examples mixing text and vision spans, so the text and
   * vision embeddings and heads all get gradients, and a target at a span's edge switches head.
   */
  @ParameterizedTest(name = "tied={0} attentionBlock={1}")
  @CsvSource({"false, 4", "true, 16"})
  void visionTablesAndHead(boolean tied, int attentionBlock) {
    ModelConfig config = new ModelConfig(16, 2, 4, 2, 24, 13, 1e-5, 10_000, 64, tied).withVisionVocab(7);
    Parameters p = ParameterLayout.initialize(config, 31, DataType.DOUBLE);
    SplitMix64 rng = new SplitMix64(32);
    for (String name : p.names()) {
      var t = p.get(name);
      t.addi(TestTensors.random(rng, DataType.DOUBLE, 0.3, t.shape()));
    }
    LlamaModel model = new LlamaModel(config, p, new LlamaModel.ComputeOptions(attentionBlock, false, 3));
    // ids:      t t v v v v t | t v v v v t   (v: vision code; each target is the next id's kind)
    boolean[] window = {false, false, true, true, true, true, false, false, true, true, true, true, false, false};
    int[] ids = {1, 5, 6, 2, 0, 6, 12, 3, 1, 1, 4, 5, 8, 2};
    TrainingSequence causal = TrainingSequence.causal(ids, window);
    float[] w = {0.1f, 0.2f, 0.1f, 0.1f, 0.3f, 0f, 0.1f, 0.2f, 0.1f, 0.1f, 0.1f, 0.2f, 0.1f};
    TrainingSequence seq = new TrainingSequence(causal.tokens(), causal.targets(), w,
        new int[] {0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5}, new int[] {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1},
        causal.visionInputs(), causal.visionTargets());
    Parameters grads = p.zerosLike();
    double loss = model.lossAndGradients(seq, grads);
    assertEquals(model.loss(seq), loss, 1e-12, "the evaluation loss is the training loss");
    for (String name : new String[] {ParameterNames.VISION_EMBED_TOKENS, ParameterNames.VISION_HEAD, ParameterNames.EMBED_TOKENS}) {
      assertTrue(grads.get(name).norm2Number().doubleValue() > 0, name + " gets a gradient");
    }
    // Rows no token reads stay at zero: vision code 3 is never read; text id 0 is read only as a vision code
    // (a tied LM head still gives the text embedding a gradient in every row).
    assertEquals(0, grads.get(ParameterNames.VISION_EMBED_TOKENS).getRow(3).norm2Number().doubleValue());
    if (!tied) {
      assertEquals(0, grads.get(ParameterNames.EMBED_TOKENS).getRow(0).norm2Number().doubleValue());
    }
    GradientChecker vision = new GradientChecker();
    GradientChecker rest = new GradientChecker();
    for (String name : p.names()) {
      boolean v = name.equals(ParameterNames.VISION_EMBED_TOKENS) || name.equals(ParameterNames.VISION_HEAD);
      (v ? vision : rest).add(name, p.get(name), grads.get(name));
    }
    vision.check("vision tables", () -> model.loss(seq), 30, 33);
    rest.check("text weights of a vision model", () -> model.loss(seq), 4, 34);
  }
}

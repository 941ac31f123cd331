package io.worldring.model.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.GradientChecker;
import io.worldring.model.ModelConfig;
import io.worldring.model.ParameterLayout;
import io.worldring.model.ParameterNames;
import io.worldring.model.Parameters;
import io.worldring.model.SplitMix64;
import io.worldring.model.TestTensors;
import io.worldring.model.attention.AttentionGradients;
import io.worldring.model.attention.AttentionOutput;
import io.worldring.model.attention.LocalAttention;
import io.worldring.model.attention.TokenBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Finite-difference checks (fp64) of each layer's explicit backward. Loss = sum(output * R). */
class LayerGradientTest {
  private static final DataType F64 = DataType.DOUBLE;
  private static final ModelConfig CONFIG = new ModelConfig(16, 2, 4, 2, 24, 11, 1e-5, 10_000, 64, false);

  private static double dot(INDArray a, INDArray b) {
    return a.mul(b).sumNumber().doubleValue();
  }

  private static Parameters randomParams(long seed) {
    Parameters p = ParameterLayout.initialize(CONFIG, seed, F64);
    SplitMix64 rng = new SplitMix64(seed + 1);
    // Non-trivial norm weights and larger matrices, so every term of the backward matters.
    for (String name : p.names()) {
      INDArray t = p.get(name);
      t.assign(TestTensors.random(rng, F64, t.rank() == 1 ? 0.3 : 0.4, t.shape()).addi(t.rank() == 1 ? 1.0 : 0.0));
    }
    return p;
  }

  @Test
  void rmsNorm() {
    SplitMix64 rng = new SplitMix64(1);
    INDArray x = TestTensors.random(rng, F64, 1.0, 5, 8);
    INDArray w = TestTensors.random(rng, F64, 0.5, 8).addi(1);
    INDArray r = TestTensors.random(rng, F64, 1.0, 5, 8);
    Parameters grads = new Parameters().put("w", Nd4j.zeros(F64, 8));
    RmsNorm norm = new RmsNorm(w, "w", 1e-5);
    INDArray dx = norm.backward(norm.normalize(x), r, grads);
    new GradientChecker().add("x", x, dx).add("w", w, grads.get("w"))
        .check("RMSNorm", () -> dot(norm.forward(x), r), 100, 2);
  }

  @Test
  void rotaryEmbedding() {
    SplitMix64 rng = new SplitMix64(3);
    RotaryEmbedding rope = new RotaryEmbedding(8, 500);
    RotaryEmbedding.Tables t = rope.tables(new int[] {0, 3, 4, 9, 100}, F64);
    INDArray x = TestTensors.random(rng, F64, 1.0, 3, 5, 8);
    INDArray r = TestTensors.random(rng, F64, 1.0, 3, 5, 8);
    INDArray dx = rope.rotateBack(r, t);
    new GradientChecker().add("x", x, dx).check("RoPE", () -> dot(rope.rotate(x, t), r), 120, 4);
  }

  @Test
  void ropeRotatesAdjacentPairsByPositionTimesFrequency() {
    RotaryEmbedding rope = new RotaryEmbedding(4, 100);
    INDArray x = Nd4j.create(new double[] {1, 0, 1, 0}, new long[] {1, 1, 4}, F64);
    INDArray y = rope.rotate(x, rope.tables(new int[] {3}, F64));
    double f1 = Math.pow(100, -2.0 / 4);
    double[] want = {Math.cos(3), Math.sin(3), Math.cos(3 * f1), Math.sin(3 * f1)};
    for (int i = 0; i < 4; i++) {
      assertTrue(Math.abs(y.getDouble(0, 0, i) - want[i]) < 1e-12, "element " + i + ": " + y + " vs " + java.util.Arrays.toString(want));
    }
  }

  @Test
  void swiGluMlp() {
    Parameters p = randomParams(5);
    Parameters grads = p.zerosLike();
    SwiGluMlp mlp = new SwiGluMlp(p, ParameterNames.gateProj(0), ParameterNames.upProj(0), ParameterNames.downProj(0));
    SplitMix64 rng = new SplitMix64(6);
    INDArray x = TestTensors.random(rng, F64, 1.0, 6, 16);
    INDArray r = TestTensors.random(rng, F64, 1.0, 6, 16);
    INDArray dx = mlp.backward(mlp.hidden(x), r, grads);
    new GradientChecker().add("x", x, dx)
        .add("gate", p.get(ParameterNames.gateProj(0)), grads.get(ParameterNames.gateProj(0)))
        .add("up", p.get(ParameterNames.upProj(0)), grads.get(ParameterNames.upProj(0)))
        .add("down", p.get(ParameterNames.downProj(0)), grads.get(ParameterNames.downProj(0)))
        .check("SwiGLU", () -> dot(mlp.forward(x), r), 60, 7);
  }

  @Test
  void blockwiseAttentionCore() {
    SplitMix64 rng = new SplitMix64(8);
    INDArray q = TestTensors.random(rng, F64, 1.0, 4, 9, 6);
    INDArray k = TestTensors.random(rng, F64, 1.0, 2, 9, 6);
    INDArray v = TestTensors.random(rng, F64, 1.0, 2, 9, 6);
    INDArray r = TestTensors.random(rng, F64, 1.0, 4, 9, 6);
    TokenBlock tokens = new TokenBlock(new int[] {0, 1, 2, 3, 0, 1, 2, 3, 4}, new int[] {0, 0, 0, 0, 1, 1, 1, 1, 1});
    LocalAttention attention = new LocalAttention(tokens, 4, true);
    AttentionOutput out = attention.forward(q, k, v, 0.4);
    AttentionGradients g = attention.backward(q, k, v, out.out(), out.logSumExp(), r, 0.4);
    new GradientChecker().add("q", q, g.dq()).add("k", k, g.dk()).add("v", v, g.dv())
        .check("blockwise attention", () -> dot(attention.forward(q, k, v, 0.4).out(), r), 80, 9);
  }

  @ParameterizedTest(name = "recompute={0}")
  @ValueSource(booleans = {false, true})
  void transformerBlock(boolean recompute) {
    Parameters p = randomParams(10);
    Parameters grads = p.zerosLike();
    RotaryEmbedding rope = new RotaryEmbedding(CONFIG.headDim(), CONFIG.ropeTheta());
    TransformerBlock block = new TransformerBlock(CONFIG, p, 1, rope);
    SplitMix64 rng = new SplitMix64(11);
    INDArray x = TestTensors.random(rng, F64, 1.0, 7, 16);
    INDArray r = TestTensors.random(rng, F64, 1.0, 7, 16);
    TokenBlock tokens = TokenBlock.contiguous(0, 7);
    RotaryEmbedding.Tables angles = rope.tables(tokens.positions(), F64);
    LocalAttention attention = new LocalAttention(tokens, 3, true);
    java.util.function.Function<INDArray, TransformerBlock.Activations> forward = input -> {
      TransformerBlock.BeforeAttention before = block.beforeAttention(input, angles);
      var qkv = before.qkv();
      return block.afterAttention(before, attention.forward(qkv.q(), qkv.k(), qkv.v(), block.attention().scale()));
    };
    TransformerBlock.Activations a = forward.apply(x);
    if (recompute) {
      a = a.checkpointed();
    }
    TransformerBlock.AfterAttentionGrad g = block.backwardAfterAttention(a, r, angles, grads);
    var qkv = g.parts().qkv();
    AttentionGradients dAttn = attention.backward(qkv.q(), qkv.k(), qkv.v(), a.attention().out(), a.attention().logSumExp(),
        g.dAttentionOut(), block.attention().scale());
    INDArray dx = block.backwardBeforeAttention(g, dAttn, angles, grads);
    GradientChecker checker = new GradientChecker().add("x", x, dx);
    for (String name : p.names()) {
      if (name.startsWith("model.layers.1.")) {
        checker.add(name, p.get(name), grads.get(name));
      }
    }
    checker.check("TransformerBlock", () -> dot(forward.apply(x).output(), r), 25, 12);
  }

  @Test
  void outputHeadWithWeightedCrossEntropy() {
    Parameters p = randomParams(13);
    Parameters grads = p.zerosLike();
    OutputHead head = new OutputHead(CONFIG, p, 3); // 3-row chunks over 7 tokens
    SplitMix64 rng = new SplitMix64(14);
    INDArray x = TestTensors.random(rng, F64, 1.0, 7, 16);
    int[] targets = {1, 4, 10, 0, 3, 3, 7};
    float[] weights = {1f, 0f, 0.5f, 2f, 1f, 0f, 0.25f};
    OutputHead.Result result = head.lossAndBackward(x, targets, weights, grads);
    new GradientChecker().add("x", x, result.dx())
        .add("lm_head", p.get(ParameterNames.LM_HEAD), grads.get(ParameterNames.LM_HEAD))
        .add("norm", p.get(ParameterNames.FINAL_NORM), grads.get(ParameterNames.FINAL_NORM))
        .check("output head + loss", () -> head.lossAndBackward(x, targets, weights, p.zerosLike()).loss(), 60, 15);
  }

  @Test
  void embeddingAccumulatesRepeatedTokens() {
    Parameters p = randomParams(16);
    Parameters grads = p.zerosLike();
    Embedding embedding = new Embedding(p);
    int[] tokens = {3, 5, 3, 3, 0};
    INDArray r = TestTensors.random(new SplitMix64(17), F64, 1.0, 5, 16);
    embedding.backward(tokens, r, grads);
    new GradientChecker().add("embed", p.get(ParameterNames.EMBED_TOKENS), grads.get(ParameterNames.EMBED_TOKENS))
        .check("embedding", () -> dot(embedding.forward(tokens), r), 200, 18);
  }
}

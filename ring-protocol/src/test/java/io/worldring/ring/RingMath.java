package io.worldring.ring;

import io.worldring.model.LlamaModel;
import io.worldring.model.ModelConfig;
import io.worldring.model.ParameterLayout;
import io.worldring.model.Parameters;
import io.worldring.model.ShardComputation;
import io.worldring.model.SplitMix64;
import io.worldring.model.attention.TokenBlock;
import io.worldring.model.train.TrainingSequence;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Test fixtures: a tiny model, packed sequences, and a ring run as plain loops (no actors). */
final class RingMath {
  static final ModelConfig CONFIG = new ModelConfig(32, 2, 4, 2, 48, 40, 1e-5, 10_000, 256, false);
  /** The same model with LWM-style vision tables of 19 codes. */
  static final ModelConfig VISION_CONFIG = CONFIG.withVisionVocab(19);

  private RingMath() {}

  static LlamaModel model(long seed, int tile) {
    return model(CONFIG, seed, tile);
  }

  static LlamaModel model(ModelConfig config, long seed, int tile) {
    return new LlamaModel(config, ParameterLayout.initialize(config, seed, DataType.FLOAT), new LlamaModel.ComputeOptions(tile, false, 1024));
  }

  /**
   * Three packed examples of {@code length} ids in all, each text with a vision span inside (codes of
   * {@link #VISION_CONFIG}); targets are the next ids, so spans' edges switch the head.
   */
  static TrainingSequence visionSequence(int length, long seed) {
    SplitMix64 rng = new SplitMix64(seed);
    int[] ids = new int[length + 1];
    boolean[] vision = new boolean[length + 1];
    int[] positions = new int[length];
    int[] segments = new int[length];
    int segment = 0;
    int start = 0;
    for (int t = 0; t <= length; t++) {
      if (t == length / 3 || t == length / 2 + 3) {
        segment++;
        start = t;
      }
      int inExample = t - start;
      vision[t] = inExample >= 3 && inExample < 3 + 9; // "<vision>" then 9 codes
      ids[t] = rng.nextInt(vision[t] ? VISION_CONFIG.visionVocabSize() : VISION_CONFIG.vocabSize());
      if (t < length) {
        positions[t] = inExample;
        segments[t] = segment;
      }
    }
    TrainingSequence causal = TrainingSequence.causal(ids, vision);
    float[] weights = new float[length];
    for (int t = 0; t < length; t++) {
      // No loss across an example boundary, none on every fifth target.
      boolean last = t + 1 < length && segments[t + 1] != segments[t];
      weights[t] = (t % 5 == 0 || last ? 0f : 1f) / length;
    }
    return new TrainingSequence(causal.tokens(), causal.targets(), weights, positions, segments, causal.visionInputs(),
        causal.visionTargets());
  }

  /** A sequence of {@code length} tokens; with {@code packed}, three examples with restarting positions. */
  static TrainingSequence sequence(int length, boolean packed, long seed) {
    SplitMix64 rng = new SplitMix64(seed);
    int[] tokens = new int[length];
    int[] targets = new int[length];
    float[] weights = new float[length];
    int[] positions = new int[length];
    int[] segments = packed ? new int[length] : null;
    int segment = 0;
    int start = 0;
    for (int t = 0; t < length; t++) {
      if (packed && (t == length / 3 || t == length / 2 + 3)) {
        segment++;
        start = t;
      }
      tokens[t] = rng.nextInt(CONFIG.vocabSize());
      targets[t] = rng.nextInt(CONFIG.vocabSize());
      weights[t] = (t % 5 == 0 ? 0f : 1f) / length;
      positions[t] = t - start;
      if (segments != null) {
        segments[t] = segment;
      }
    }
    return new TrainingSequence(tokens, targets, weights, positions, segments);
  }

  /** Loss of the whole ring; the shards' gradients summed into {@code grads}. */
  static double ringLossAndGradients(LlamaModel model, TrainingSequence seq, RingSchedule ring, Parameters grads) {
    int n = ring.devices();
    ShardComputation[] devices = new ShardComputation[n];
    Parameters[] deviceGrads = new Parameters[n];
    TokenBlock[] blocks = ring.blocks(seq);
    for (int d = 0; d < n; d++) {
      deviceGrads[d] = grads.zerosLike();
      devices[d] = new ShardComputation(model, ring.shard(seq, d), deviceGrads[d]);
    }
    int layers = model.blocks().size();
    for (int l = 0; l < layers; l++) {
      ShardComputation.KeyValue[] own = new ShardComputation.KeyValue[n];
      for (int d = 0; d < n; d++) {
        own[d] = devices[d].beginLayer();
      }
      for (int hop = 0; hop < n; hop++) {
        for (int d = 0; d < n; d++) {
          int b = ring.heldBlock(d, hop);
          devices[d].attend(b, blocks[b], own[b].k(), own[b].v());
        }
      }
      for (int d = 0; d < n; d++) {
        devices[d].endLayer();
      }
    }
    double loss = 0;
    for (int d = 0; d < n; d++) {
      loss += devices[d].loss();
    }
    for (int l = layers - 1; l >= 0; l--) {
      ShardComputation.KeyValue[] own = new ShardComputation.KeyValue[n];
      INDArray[] dk = new INDArray[n];
      INDArray[] dv = new INDArray[n];
      for (int d = 0; d < n; d++) {
        own[d] = devices[d].beginBackwardLayer();
        dk[d] = Nd4j.zeros(own[d].k().dataType(), own[d].k().shape());
        dv[d] = Nd4j.zeros(own[d].v().dataType(), own[d].v().shape());
      }
      for (int hop = 0; hop < n; hop++) {
        for (int d = 0; d < n; d++) {
          int b = ring.heldBlock(d, hop);
          devices[d].attendBackward(b, blocks[b], own[b].k(), own[b].v(), dk[b], dv[b]);
        }
      }
      for (int d = 0; d < n; d++) {
        devices[d].endBackwardLayer(dk[d], dv[d]);
      }
    }
    for (int d = 0; d < n; d++) {
      devices[d].finish();
      grads.addi(deviceGrads[d]);
    }
    return loss;
  }
}

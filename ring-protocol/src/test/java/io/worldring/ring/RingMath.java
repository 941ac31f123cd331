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

  private RingMath() {}

  static LlamaModel model(long seed, int tile) {
    return new LlamaModel(CONFIG, ParameterLayout.initialize(CONFIG, seed, DataType.FLOAT), new LlamaModel.ComputeOptions(tile, false, 1024));
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

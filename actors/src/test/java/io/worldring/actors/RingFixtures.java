package io.worldring.actors;

import io.worldring.actors.device.ModelSpec;
import io.worldring.model.ModelConfig;
import io.worldring.model.Parameters;
import io.worldring.model.SplitMix64;
import io.worldring.model.train.OptimizerConfig;
import io.worldring.model.train.TrainingSequence;
import java.util.ArrayList;
import java.util.List;

/** A tiny model and packed training data for ring tests. */
final class RingFixtures {
  static final ModelConfig CONFIG = new ModelConfig(32, 2, 4, 2, 48, 40, 1e-5, 10_000, 256, false);
  static final OptimizerConfig OPTIMIZER = new OptimizerConfig(3e-3, 2, "constant", 0, 20, 0.9, 0.95, 1e-8, 0.1, 1.0);

  private RingFixtures() {}

  static ModelSpec spec(long seed) {
    return new ModelSpec(CONFIG, seed, "", false, OPTIMIZER, 4, false);
  }

  /** A batch of sequences; with {@code packed}, examples with restarting positions and separate segments. */
  static List<TrainingSequence> batch(int sequences, int length, boolean packed, long seed) {
    SplitMix64 rng = new SplitMix64(seed);
    List<TrainingSequence> out = new ArrayList<>();
    for (int s = 0; s < sequences; s++) {
      int[] tokens = new int[length];
      int[] targets = new int[length];
      float[] weights = new float[length];
      int[] positions = new int[length];
      int[] segments = packed ? new int[length] : null;
      int segment = 0;
      int start = 0;
      for (int t = 0; t < length; t++) {
        if (packed && (t == length / 3 + s || t == 2 * length / 3)) {
          segment++;
          start = t;
        }
        tokens[t] = rng.nextInt(CONFIG.vocabSize());
        targets[t] = (tokens[t] * 7 + 3) % CONFIG.vocabSize(); // learnable
        weights[t] = t % 7 == 0 ? 0f : 1f;
        positions[t] = t - start;
        if (segments != null) {
          segments[t] = segment;
        }
      }
      out.add(new TrainingSequence(tokens, targets, weights, positions, segments));
    }
    return out;
  }
}

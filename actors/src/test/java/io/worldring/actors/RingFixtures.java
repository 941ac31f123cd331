package io.worldring.actors;

import io.worldring.actors.device.ModelSpec;
import io.worldring.model.ModelConfig;
import io.worldring.model.Parameters;
import io.worldring.model.SplitMix64;
import io.worldring.model.train.BatchWeights;
import io.worldring.model.train.OptimizerConfig;
import io.worldring.model.train.TrainingSequence;
import java.util.ArrayList;
import java.util.List;

/** A tiny model and packed training data for ring tests. */
final class RingFixtures {
  static final ModelConfig CONFIG = new ModelConfig(32, 2, 4, 2, 48, 40, 1e-5, 10_000, 256, false);
  /** The same model with LWM-style vision tables (its own embedding and head) of 19 codes. */
  static final ModelConfig VISION_CONFIG = CONFIG.withVisionVocab(19);
  static final OptimizerConfig OPTIMIZER = new OptimizerConfig(3e-3, 2, "constant", 0, 20, 0.9, 0.95, 1e-8, 0.1, 1.0);

  private RingFixtures() {}

  static ModelSpec spec(long seed) {
    return spec(CONFIG, seed);
  }

  static ModelSpec spec(ModelConfig config, long seed) {
    return new ModelSpec(config, seed, "", false, OPTIMIZER, 4, false);
  }

  /**
   * A batch of packed sequences of {@code length} tokens mixing text and vision as LWM lays them out: each
   * example is text, then a span of vision codes, then text again, so the examples' boundaries, the spans'
   * edges (where the target switches head) and the devices' shard boundaries fall in different places.
   * Targets are the next ids (vision codes inside a span), weighted 1 except every seventh and each
   * example's last; then LWM's 0.5/0.5 vision/text average.
   */
  static List<TrainingSequence> visionBatch(int sequences, int length, long seed) {
    SplitMix64 rng = new SplitMix64(seed);
    List<TrainingSequence> out = new ArrayList<>();
    for (int s = 0; s < sequences; s++) {
      int[] ids = new int[length + 1];
      boolean[] vision = new boolean[length + 1];
      int[] positions = new int[length];
      int[] segments = new int[length];
      int segment = 0;
      int start = 0;
      int spanStart = 2 + s;
      for (int t = 0; t <= length; t++) {
        if (t == length / 3 + s || t == 2 * length / 3) {
          segment++;
          start = t;
          spanStart = 2 + rng.nextInt(3);
        }
        int inExample = t - start;
        vision[t] = inExample >= spanStart && inExample < spanStart + 7; // 6 codes and an <eof>/<eov>-like end code
        ids[t] = vision[t] ? rng.nextInt(VISION_CONFIG.visionVocabSize()) : rng.nextInt(VISION_CONFIG.vocabSize());
        if (t < length) {
          positions[t] = inExample;
          segments[t] = segment;
        }
      }
      TrainingSequence causal = TrainingSequence.causal(ids, vision);
      float[] weights = new float[length];
      for (int t = 0; t < length; t++) {
        boolean lastOfExample = t + 1 < length && segments[t + 1] != segments[t];
        weights[t] = t % 7 == 0 || lastOfExample ? 0f : 1f;
      }
      out.add(new TrainingSequence(causal.tokens(), causal.targets(), weights, positions, segments, causal.visionInputs(),
          causal.visionTargets()));
    }
    return BatchWeights.visionTextAverage(out, 0.5);
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

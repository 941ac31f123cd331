package io.worldring.ops;

import io.worldring.model.LlamaModel;
import io.worldring.model.ModelConfig;
import io.worldring.model.ParameterLayout;
import io.worldring.model.Parameters;
import io.worldring.model.SplitMix64;
import io.worldring.model.io.Checkpoint;
import io.worldring.model.vision.PatchCodebook;
import io.worldring.model.vision.PatchCodebookConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tiny vision tokenizer and tiny vision checkpoints for the tests of the commands that use them: a patch
 * codebook of {@value #CODEBOOK} codes over 32x32 frames (16 codes of 8x8 pixels) learnt from a few
 * synthetic frames, and the {@code tiny} model with a vision vocabulary of {@value #CODEBOOK} + 2.
 */
public final class VisionFixtures {
  public static final int FRAME_SIZE = 32;
  public static final int CODES_PER_FRAME = 16;
  public static final int CODEBOOK = 32;

  private VisionFixtures() {}

  /** Trains and saves the tokenizer in {@code dir}: 12 frames of colour gradients and blocks, seconds. */
  public static Path tokenizer(Path dir) {
    SplitMix64 rng = new SplitMix64(7);
    List<INDArray> frames = new ArrayList<>();
    for (int f = 0; f < 12; f++) {
      float[] rgb = new float[3 * FRAME_SIZE * FRAME_SIZE];
      for (int c = 0; c < 3; c++) {
        double a = rng.nextDouble() * 2 - 1;
        double gx = rng.nextDouble() - 0.5;
        double gy = rng.nextDouble() - 0.5;
        for (int y = 0; y < FRAME_SIZE; y++) {
          for (int x = 0; x < FRAME_SIZE; x++) {
            double block = ((x / 8 + y / 8 + f) % 3 == 0) ? 0.5 : 0;
            double v = a + gx * x / 16.0 + gy * y / 16.0 + block;
            rgb[(c * FRAME_SIZE + y) * FRAME_SIZE + x] = (float) Math.max(-1, Math.min(1, v));
          }
        }
      }
      frames.add(Nd4j.create(rgb, new long[] {3, FRAME_SIZE, FRAME_SIZE}, 'c'));
    }
    PatchCodebook.train(new PatchCodebookConfig(FRAME_SIZE, CODES_PER_FRAME, CODEBOOK, 10, 1, 4096), frames).save(dir);
    return dir;
  }

  /** The tiny model with vision tables of {@code visionVocab} rows (0: text-only). */
  public static ModelConfig config(int visionVocab) {
    return ModelConfig.preset("tiny").withVisionVocab(visionVocab);
  }

  /**
   * Fresh weights of {@code config} with every matrix scaled by 20, so that a random model's logits are
   * spread (N(0, 0.02) weights give near-uniform ones, where an argmax is decided by rounding).
   */
  public static Parameters sharpWeights(ModelConfig config, long seed) {
    Parameters p = ParameterLayout.initialize(config, seed, DataType.FLOAT);
    for (String name : p.names()) {
      if (p.get(name).rank() == 2) {
        p.get(name).muli(20);
      }
    }
    return p;
  }

  public static LlamaModel model(ModelConfig config, long seed) {
    return new LlamaModel(config, sharpWeights(config, seed));
  }

  /** Saves a checkpoint of fresh (sharpened) weights in {@code dir}. */
  public static Path checkpoint(Path dir, int visionVocab) {
    ModelConfig c = config(visionVocab);
    Checkpoint.save(dir, c, sharpWeights(c, 11), null, 0, null);
    return dir;
  }
}

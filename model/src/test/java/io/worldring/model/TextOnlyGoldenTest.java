package io.worldring.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.worldring.model.io.Checkpoint;
import io.worldring.model.train.AdamW;
import io.worldring.model.train.OptimizerConfig;
import io.worldring.model.train.SingleDeviceTrainer;
import io.worldring.model.train.TrainingSequence;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Text-only models are what they were before the vision tables existed: the same initial weights and the
 * same {@code config.json} bytes, recorded from the code before vision support. Only machine-independent
 * results are pinned here: losses, gradients and checkpoints of trained weights depend on which BLAS
 * kernels the CPU selects, so their invariance is tested by comparison instead ({@code VisionModelTest}:
 * a text sequence on a vision model gives the text model's loss and gradients bit for bit).
 */
class TextOnlyGoldenTest {
  static final ModelConfig CONFIG = new ModelConfig(32, 2, 4, 2, 48, 40, 1e-5, 10_000, 64, false);

  /** Recorded from the code before vision support existed. */
  static final List<String> GOLDEN = List.of("init a504107be302991f", "config.json 930527aa09b4fdb5");

  static TrainingSequence packed(int step) {
    int n = 24;
    int[] tokens = new int[n];
    int[] targets = new int[n];
    float[] weights = new float[n];
    int[] positions = new int[n];
    int[] segments = new int[n];
    for (int t = 0; t < n; t++) {
      tokens[t] = (t * 7 + step * 3) % CONFIG.vocabSize();
      targets[t] = (t * 11 + step + 5) % CONFIG.vocabSize();
      weights[t] = t % 5 == 0 ? 0f : 1f;
      segments[t] = t < 10 ? 0 : 1;
      positions[t] = t < 10 ? t : t - 10;
    }
    return new TrainingSequence(tokens, targets, weights, positions, segments);
  }

  static String digest(Parameters p) {
    MessageDigest md = sha256();
    for (Map.Entry<String, INDArray> e : p.asMap().entrySet()) {
      md.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      update(md, e.getValue());
    }
    return HexFormat.of().formatHex(md.digest()).substring(0, 16);
  }

  static void update(MessageDigest md, INDArray a) {
    float[] v = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    ByteBuffer b = ByteBuffer.allocate(v.length * 4);
    b.asFloatBuffer().put(v);
    md.update(b.array());
  }

  static String fileDigest(Path file) throws IOException {
    MessageDigest md = sha256();
    md.update(Files.readAllBytes(file));
    return HexFormat.of().formatHex(md.digest()).substring(0, 16);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> observe(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    Parameters p = ParameterLayout.initialize(CONFIG, 5, DataType.FLOAT);
    out.add("init " + digest(p));
    LlamaModel model = new LlamaModel(CONFIG, p, new LlamaModel.ComputeOptions(8, false, 7));
    SingleDeviceTrainer trainer = new SingleDeviceTrainer(model,
        new AdamW(new OptimizerConfig(1e-2, 1, "constant", 0, 10, 0.9, 0.95, 1e-8, 0.1, 1.0), p));
    trainer.step(List.of(packed(1), packed(11)));
    Checkpoint.save(dir, CONFIG, p, trainer.optimizer(), 1, null);
    out.add(Checkpoint.HF_CONFIG + " " + fileDigest(dir.resolve(Checkpoint.HF_CONFIG)));
    return out;
  }

  @Test
  void textOnlyResultsAreBitIdenticalToBeforeVision(@TempDir Path dir) throws IOException {
    List<String> got = observe(dir.resolve("ck"));
    assertEquals(GOLDEN, got, "text-only results changed: " + String.join(" | ", got));
  }
}

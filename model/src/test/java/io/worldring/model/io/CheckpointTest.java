package io.worldring.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.model.BadInputException;
import io.worldring.model.LlamaModel;
import io.worldring.model.ModelConfig;
import io.worldring.model.ParameterLayout;
import io.worldring.model.Parameters;
import io.worldring.model.train.AdamW;
import io.worldring.model.train.OptimizerConfig;
import io.worldring.model.train.SingleDeviceTrainer;
import io.worldring.model.train.TrainingSequence;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class CheckpointTest {
  static final ModelConfig CONFIG = new ModelConfig(32, 2, 4, 2, 48, 40, 1e-5, 10_000, 64, false);

  /** A trained-for-a-few-steps model and optimizer, so moments are non-zero. */
  static SingleDeviceTrainer trained(int steps) {
    Parameters p = ParameterLayout.initialize(CONFIG, 7, DataType.FLOAT);
    SingleDeviceTrainer trainer = new SingleDeviceTrainer(new LlamaModel(CONFIG, p),
        new AdamW(new OptimizerConfig(1e-2, 2, "cosine", 1e-3, 20, 0.9, 0.95, 1e-8, 0.1, 1.0), p));
    for (int s = 0; s < steps; s++) {
      trainer.step(batch(s));
    }
    return trainer;
  }

  static List<TrainingSequence> batch(int step) {
    int[] window = new int[17];
    for (int i = 0; i < window.length; i++) {
      window[i] = (i * 7 + step * 3) % CONFIG.vocabSize();
    }
    return List.of(TrainingSequence.causal(window));
  }

  static void assertBitEqual(Parameters a, Parameters b) {
    assertEquals(a.names(), b.names());
    for (String name : a.names()) {
      INDArray x = a.get(name);
      INDArray y = b.get(name);
      assertArrayEquals(x.shape(), y.shape(), name);
      assertArrayEquals(bits(x), bits(y), "bits of " + name);
    }
  }

  static int[] bits(INDArray a) {
    float[] v = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.floatToRawIntBits(v[i]);
    }
    return out;
  }

  @Test
  void roundTripIsBitExact(@TempDir Path dir) throws IOException {
    SingleDeviceTrainer t = trained(3);
    var state = new ObjectMapper().createObjectNode().put("data_position", 42);
    Checkpoint.save(dir.resolve("ck"), CONFIG, t.model().parameters(), t.optimizer(), 3, state);
    Checkpoint.Loaded loaded = Checkpoint.load(dir.resolve("ck"), DataType.FLOAT);
    assertEquals(CONFIG, loaded.config());
    assertEquals(3, loaded.step());
    assertEquals(3, loaded.optimizerStep());
    assertEquals(42, loaded.trainingState().path("data_position").asInt());
    assertBitEqual(t.model().parameters(), loaded.weights());
    assertBitEqual(t.optimizer().firstMoment(), loaded.firstMoment());
    assertBitEqual(t.optimizer().secondMoment(), loaded.secondMoment());
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of("ck"), s.map(p -> p.getFileName().toString()).toList(), "no partial directories left behind");
    }
  }

  @Test
  void resumeEqualsUninterruptedRunStepForStep(@TempDir Path dir) {
    int total = 6;
    SingleDeviceTrainer straight = trained(0);
    double[] straightLoss = new double[total];
    for (int s = 0; s < total; s++) {
      straightLoss[s] = straight.step(batch(s)).loss();
    }

    SingleDeviceTrainer first = trained(0);
    double[] resumedLoss = new double[total];
    for (int s = 0; s < 3; s++) {
      resumedLoss[s] = first.step(batch(s)).loss();
    }
    Checkpoint.save(dir.resolve("ck"), CONFIG, first.model().parameters(), first.optimizer(), 3, null);
    Checkpoint.Loaded loaded = Checkpoint.load(dir.resolve("ck"), DataType.FLOAT);
    SingleDeviceTrainer second = new SingleDeviceTrainer(new LlamaModel(loaded.config(), loaded.weights()),
        loaded.optimizer(first.optimizer().config()));
    for (int s = 3; s < total; s++) {
      resumedLoss[s] = second.step(batch(s)).loss();
    }
    assertArrayEquals(straightLoss, resumedLoss, 0.0, "resumed losses must equal the uninterrupted run exactly");
    assertBitEqual(straight.model().parameters(), second.model().parameters());
  }

  @Test
  void truncatedWeightsAreRejectedNamingTheFile(@TempDir Path dir) throws IOException {
    SingleDeviceTrainer t = trained(1);
    Path ck = dir.resolve("ck");
    Checkpoint.save(ck, CONFIG, t.model().parameters(), t.optimizer(), 1, null);
    Path weights = ck.resolve(Checkpoint.WEIGHTS);
    try (RandomAccessFile f = new RandomAccessFile(weights.toFile(), "rw")) {
      f.setLength(f.length() - 100);
    }
    BadInputException e = assertThrows(BadInputException.class, () -> Checkpoint.load(ck, DataType.FLOAT));
    assertTrue(e.getMessage().contains(weights.toString()) && e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void corruptedOptimizerIsRejectedNamingTheFile(@TempDir Path dir) throws IOException {
    SingleDeviceTrainer t = trained(1);
    Path ck = dir.resolve("ck");
    Checkpoint.save(ck, CONFIG, t.model().parameters(), t.optimizer(), 1, null);
    Path moments = ck.resolve(Checkpoint.OPTIMIZER);
    try (RandomAccessFile f = new RandomAccessFile(moments.toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0x5a);
    }
    BadInputException e = assertThrows(BadInputException.class, () -> Checkpoint.load(ck, DataType.FLOAT));
    assertTrue(e.getMessage().contains(moments.toString()) && e.getMessage().contains("corrupted"), e.getMessage());
  }

  @Test
  void missingManifestMeansNoCheckpoint(@TempDir Path dir) throws IOException {
    SingleDeviceTrainer t = trained(0);
    Path ck = dir.resolve("ck");
    Checkpoint.save(ck, CONFIG, t.model().parameters(), null, 0, null);
    Files.delete(ck.resolve(Checkpoint.MANIFEST));
    assertFalse(Checkpoint.isCheckpoint(ck));
    BadInputException e = assertThrows(BadInputException.class, () -> Checkpoint.load(ck, DataType.FLOAT));
    assertTrue(e.getMessage().contains(Checkpoint.MANIFEST), e.getMessage());
  }

  @Test
  void latestCheckpointOfARunDirectory(@TempDir Path run) {
    SingleDeviceTrainer t = trained(0);
    for (long step : new long[] {2, 10, 4}) {
      Checkpoint.save(run.resolve("checkpoints").resolve(Checkpoint.stepDirName(step)), CONFIG, t.model().parameters(), null, step, null);
    }
    assertEquals(run.resolve("checkpoints").resolve(Checkpoint.stepDirName(10)), Checkpoint.resolve(run));
  }

  @Test
  void savingOverAnExistingCheckpointReplacesIt(@TempDir Path dir) {
    Path ck = dir.resolve("ck");
    SingleDeviceTrainer a = trained(1);
    Checkpoint.save(ck, CONFIG, a.model().parameters(), a.optimizer(), 1, null);
    SingleDeviceTrainer b = trained(2);
    Checkpoint.save(ck, CONFIG, b.model().parameters(), b.optimizer(), 2, null);
    Checkpoint.Loaded loaded = Checkpoint.load(ck, DataType.FLOAT);
    assertEquals(2, loaded.step());
    assertBitEqual(b.model().parameters(), loaded.weights());
  }
}

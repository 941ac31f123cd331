package io.worldring.model.io;

import static io.worldring.model.io.CheckpointTest.CONFIG;
import static io.worldring.model.io.CheckpointTest.assertBitEqual;
import static io.worldring.model.io.CheckpointTest.trained;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.model.BadInputException;
import io.worldring.model.train.SingleDeviceTrainer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** A damaged newest checkpoint (a crash, a bad disk, a copy cut short) makes a resume fall back to the one before. */
class CheckpointRecoveryTest {
  private final ObjectMapper json = new ObjectMapper();
  private final List<SingleDeviceTrainer> trainers = new ArrayList<>();
  private final List<String> reports = new ArrayList<>();

  /** checkpoints/step-00000001..3, each after one more training step, so weights and state differ. */
  private Path threeCheckpoints(Path run) {
    Path checkpoints = run.resolve("checkpoints");
    for (int step = 1; step <= 3; step++) {
      SingleDeviceTrainer t = trained(step);
      trainers.add(t);
      Checkpoint.save(checkpoints.resolve(Checkpoint.stepDirName(step)), CONFIG, t.model().parameters(), t.optimizer(), step,
          json.createObjectNode().put("data_position", 100 * step));
    }
    return checkpoints;
  }

  private Path step(Path checkpoints, long step) {
    return checkpoints.resolve(Checkpoint.stepDirName(step));
  }

  /** The newest is damaged: step 2 is chosen, the report names the file and the reason, and step 2 loads. */
  private void assertFallsBackToStep2(Path checkpoints, String file, String reason) {
    Path chosen = Checkpoint.latestValidIn(checkpoints, reports::add);
    assertEquals(step(checkpoints, 2), chosen);
    assertEquals(1, reports.size(), reports.toString());
    String report = reports.get(0);
    assertTrue(report.contains(step(checkpoints, 3).resolve(file).toString()), report);
    assertTrue(report.contains(reason), report);
    assertTrue(report.contains("earlier checkpoint"), report);

    Checkpoint.Loaded loaded = Checkpoint.load(chosen, DataType.FLOAT);
    assertEquals(2, loaded.step());
    assertEquals(200, loaded.trainingState().path("data_position").asInt());
    assertBitEqual(trainers.get(1).model().parameters(), loaded.weights());
    assertBitEqual(trainers.get(1).optimizer().firstMoment(), loaded.firstMoment());
  }

  private static void truncate(Path file) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(f.length() - 100);
    }
  }

  private static void flipMiddleByte(Path file) throws IOException {
    long size = Files.size(file);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(size / 2);
      int b = f.read();
      f.seek(size / 2);
      f.write(b ^ 0x5a);
    }
    assertEquals(size, Files.size(file), "same size, different content");
  }

  @Test
  void intactCheckpointsResolveToTheNewest(@TempDir Path run) {
    Path checkpoints = threeCheckpoints(run);
    assertEquals(step(checkpoints, 3), Checkpoint.latestValidIn(checkpoints, reports::add));
    assertEquals(List.of(), reports);
    Checkpoint.verify(step(checkpoints, 3));
  }

  @Test
  void truncatedWeightsFallBack(@TempDir Path run) throws IOException {
    Path checkpoints = threeCheckpoints(run);
    truncate(step(checkpoints, 3).resolve(Checkpoint.WEIGHTS));
    assertFallsBackToStep2(checkpoints, Checkpoint.WEIGHTS, "truncated");
  }

  @Test
  void corruptedWeightsFallBack(@TempDir Path run) throws IOException {
    Path checkpoints = threeCheckpoints(run);
    flipMiddleByte(step(checkpoints, 3).resolve(Checkpoint.WEIGHTS));
    assertFallsBackToStep2(checkpoints, Checkpoint.WEIGHTS, "corrupted");
  }

  @Test
  void missingManifestFallsBack(@TempDir Path run) throws IOException {
    Path checkpoints = threeCheckpoints(run);
    Files.delete(step(checkpoints, 3).resolve(Checkpoint.MANIFEST));
    assertFallsBackToStep2(checkpoints, Checkpoint.MANIFEST, "missing");
  }

  @Test
  void corruptedOptimizerFallsBack(@TempDir Path run) throws IOException {
    Path checkpoints = threeCheckpoints(run);
    flipMiddleByte(step(checkpoints, 3).resolve(Checkpoint.OPTIMIZER));
    assertFallsBackToStep2(checkpoints, Checkpoint.OPTIMIZER, "corrupted");
  }

  @Test
  void unparseableManifestFallsBack(@TempDir Path run) throws IOException {
    Path checkpoints = threeCheckpoints(run);
    Files.writeString(step(checkpoints, 3).resolve(Checkpoint.MANIFEST), "{\"format\": \"worldring-checkp");
    assertFallsBackToStep2(checkpoints, Checkpoint.MANIFEST, "not valid JSON");
  }

  @Test
  void verifyNamesTheFileAndTheReason(@TempDir Path run) throws IOException {
    Path checkpoints = threeCheckpoints(run);
    Path ck = step(checkpoints, 3);
    Files.delete(ck.resolve(Checkpoint.MANIFEST));
    BadInputException e = assertThrows(BadInputException.class, () -> Checkpoint.verify(ck));
    assertEquals(ck.resolve(Checkpoint.MANIFEST) + ": missing (incomplete checkpoint)", e.getMessage());

    Path weights = step(checkpoints, 2).resolve(Checkpoint.WEIGHTS);
    truncate(weights);
    e = assertThrows(BadInputException.class, () -> Checkpoint.verify(step(checkpoints, 2)));
    assertTrue(e.getMessage().startsWith(weights + ": truncated"), e.getMessage());

    Path config = step(checkpoints, 1).resolve(Checkpoint.HF_CONFIG);
    Files.delete(config);
    e = assertThrows(BadInputException.class, () -> Checkpoint.verify(step(checkpoints, 1)));
    assertTrue(e.getMessage().startsWith(config + ": missing"), e.getMessage());
  }

  @Test
  void allCorruptGivesNullAndOneReportEach(@TempDir Path run) throws IOException {
    Path checkpoints = threeCheckpoints(run);
    truncate(step(checkpoints, 3).resolve(Checkpoint.WEIGHTS));
    flipMiddleByte(step(checkpoints, 2).resolve(Checkpoint.OPTIMIZER));
    Files.delete(step(checkpoints, 1).resolve(Checkpoint.MANIFEST));
    assertNull(Checkpoint.latestValidIn(checkpoints, reports::add));
    assertEquals(3, reports.size(), reports.toString());
    assertTrue(reports.get(0).contains(Checkpoint.stepDirName(3)) && reports.get(0).contains("truncated"), reports.get(0));
    assertTrue(reports.get(1).contains(Checkpoint.stepDirName(2)) && reports.get(1).contains("corrupted"), reports.get(1));
    assertTrue(reports.get(2).contains(Checkpoint.stepDirName(1)) && reports.get(2).contains("missing"), reports.get(2));
    BadInputException e = assertThrows(BadInputException.class, () -> Checkpoint.resolve(run));
    assertTrue(e.getMessage().contains("none of its 3 checkpoints"), e.getMessage());
  }

  @Test
  void noCheckpointsGivesNullWithoutReports(@TempDir Path run) throws IOException {
    assertNull(Checkpoint.latestValidIn(run.resolve("checkpoints"), reports::add));
    Files.createDirectories(run.resolve("checkpoints"));
    assertNull(Checkpoint.latestValidIn(run.resolve("checkpoints"), reports::add));
    assertEquals(List.of(), reports);
  }

  @Test
  void resolveSkipsADamagedNewestCheckpoint(@TempDir Path run) throws IOException {
    Path checkpoints = threeCheckpoints(run);
    truncate(step(checkpoints, 3).resolve(Checkpoint.WEIGHTS));
    assertEquals(step(checkpoints, 2), Checkpoint.resolve(run));
  }

  @Test
  void aSaveCutShortLeavesNoCheckpointAndTheNextSaveWorks(@TempDir Path run) throws IOException {
    Path checkpoints = threeCheckpoints(run);
    // What a crash mid-save of step 4 leaves behind: the hidden directory, complete-looking or not.
    Path partial = checkpoints.resolve("." + Checkpoint.stepDirName(4) + ".partial");
    Files.createDirectories(partial);
    Files.copy(step(checkpoints, 3).resolve(Checkpoint.MANIFEST), partial.resolve(Checkpoint.MANIFEST));
    Files.write(partial.resolve(Checkpoint.WEIGHTS), new byte[] {1, 2, 3});
    Path old = checkpoints.resolve("." + Checkpoint.stepDirName(5) + ".old");
    Files.createDirectories(old);
    Files.copy(step(checkpoints, 3).resolve(Checkpoint.MANIFEST), old.resolve(Checkpoint.MANIFEST));

    assertEquals(step(checkpoints, 3), Checkpoint.latestValidIn(checkpoints, reports::add));
    assertEquals(step(checkpoints, 3), Checkpoint.latestIn(checkpoints));
    assertEquals(List.of(), reports, "hidden directories are not checkpoints");

    SingleDeviceTrainer t = trained(4);
    Checkpoint.save(step(checkpoints, 4), CONFIG, t.model().parameters(), t.optimizer(), 4, null);
    assertFalse(Files.exists(partial), "the next save clears the leftover");
    assertEquals(step(checkpoints, 4), Checkpoint.latestValidIn(checkpoints, reports::add));
    Checkpoint.Loaded loaded = Checkpoint.load(step(checkpoints, 4), DataType.FLOAT);
    assertEquals(4, loaded.step());
    assertBitEqual(t.model().parameters(), loaded.weights());
  }

  @Test
  void savingOverAnExistingCheckpointReplacesIt(@TempDir Path run) throws IOException {
    Path checkpoints = threeCheckpoints(run);
    Path ck = step(checkpoints, 3);
    // A stray file in the old directory must not survive into the new one.
    Files.writeString(ck.resolve("stray.txt"), "from before");
    SingleDeviceTrainer t = trained(5);
    Checkpoint.save(ck, CONFIG, t.model().parameters(), null, 3, json.createObjectNode().put("data_position", 999));
    Checkpoint.verify(ck);
    Checkpoint.Loaded loaded = Checkpoint.load(ck, DataType.FLOAT);
    assertEquals(999, loaded.trainingState().path("data_position").asInt());
    assertFalse(loaded.hasOptimizer(), "the old optimizer state is gone with the old directory");
    assertBitEqual(t.model().parameters(), loaded.weights());
    assertFalse(Files.exists(ck.resolve("stray.txt")));
    assertFalse(Files.exists(ck.resolve(Checkpoint.OPTIMIZER)));
    try (Stream<Path> s = Files.list(checkpoints)) {
      assertEquals(List.of("step-00000001", "step-00000002", "step-00000003"),
          s.map(p -> p.getFileName().toString()).sorted().toList(), "no hidden directories left behind");
    }
  }
}

package io.worldring.actors.supervisor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.model.BadInputException;
import io.worldring.model.ModelConfig;
import io.worldring.model.ParameterLayout;
import io.worldring.model.fuzz.CleanFailure;
import io.worldring.model.fuzz.FuzzCorpus;
import io.worldring.model.fuzz.FuzzSeed;
import io.worldring.model.fuzz.Mutations.Mutant;
import io.worldring.model.fuzz.Mutations;
import io.worldring.model.io.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A run directory's files mutated from valid ones: the ledger is read or refused naming its line (and a
 * refused one is never rewritten), a damaged metrics log never stops a resume, and a checkpoint whose
 * manifest or training state is damaged is skipped or refused naming it, never an exception of another kind.
 */
class RunDirectoryFuzzTest {
  static final String LEDGER = "{\"step\":1,\"stage\":\"a\",\"first\":0,\"count\":2,\"digest\":\"0f1e\"}\n"
      + "{\"step\":2,\"stage\":\"a\",\"first\":2,\"count\":2,\"digest\":\"a2b3\"}\n";
  static final String METRICS = "{\"step\":1,\"loss\":2.5,\"tokens_per_second\":100.0}\n{\"step\":2,\"loss\":2.25,\"tokens_per_second\":101.5}\n";
  private static Path root;
  private static Path checkpoint;
  private static String validManifest;

  @BeforeContainer
  static void seed() throws IOException {
    root = Files.createTempDirectory("run-fuzz");
    checkpoint = checkpoint(new RunDirectory(root));
    validManifest = Files.readString(checkpoint.resolve(Checkpoint.MANIFEST));
  }

  /** A valid checkpoint of step 2 (the final one of stage "a") in {@code run}. */
  static Path checkpoint(RunDirectory run) throws IOException {
    Path dir = run.checkpointDir(2);
    ModelConfig config = new ModelConfig(8, 1, 2, 1, 16, 12, 1e-5, 10_000, 32, false);
    ObjectMapper json = new ObjectMapper();
    JsonNode last = json.readTree(LEDGER.lines().toList().get(1));
    TrainingState state = new TrainingState(0, "a", 2, true, 2, 7, json.readTree("{\"position\":4,\"epoch\":0}"), last, 1, 0);
    Checkpoint.save(dir, config, ParameterLayout.initialize(config, 1, DataType.FLOAT), null, 2, state.toJson());
    TrainingState.fromJson(run.latestCheckpoint(m -> { }).trainingState(), "seed"); // valid
    return dir;
  }

  @AfterContainer
  static void clean() throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Property(tries = 300, seed = FuzzSeed.VALUE)
  void mutatedLedgersAreReadOrRefusedNamingTheLineAndNeverRewritten(@ForAll("ledgers") Mutant m) throws IOException {
    RunDirectory run = new RunDirectory(root);
    Files.write(run.ledger(), m.bytes());
    long limit = (16L << 20) + 64L * m.bytes().length;
    BadInputException e = CleanFailure.check(BadInputException.class, run.ledger().toString(), limit, run::ledgerEntries);
    if (e != null) {
      assertTrue(e.getMessage().matches("(?s).*ledger\\.jsonl:\\d+: .*"), "names the line: " + e.getMessage());
      CleanFailure.refused(BadInputException.class, run.ledger().toString(), limit, () -> {
        run.reconcileLedger(2, null);
        return null;
      });
      assertArrayEquals(m.bytes(), Files.readAllBytes(run.ledger()), "a refused ledger is left as it was");
      assertFalse(Files.exists(root.resolve(".ledger.jsonl.tmp")));
      FuzzCorpus.keep("ledger", Integer.toHexString(Arrays.hashCode(m.bytes())) + ".jsonl", m);
    }
  }

  @Provide
  Arbitrary<Mutant> ledgers() {
    return Mutations.jsonLines(LEDGER, "\"a\"", "2", "3");
  }

  @Property(tries = 200, seed = FuzzSeed.VALUE)
  void aDamagedMetricsLogNeverStopsAResume(@ForAll("metrics") Mutant m) throws IOException {
    RunDirectory run = new RunDirectory(root);
    Files.write(run.metrics(), m.bytes());
    assertNull(CleanFailure.check(BadInputException.class, null, (16L << 20) + 64L * m.bytes().length, () -> {
      run.truncateMetrics(1);
      return null;
    }), "truncating the metrics log drops what it cannot read");
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readString(run.metrics()).split("\n")) { // lines end at '\n' only, as the log writes them
      assertTrue(json.readTree(line).path("step").asLong() <= 1, "kept only steps up to 1: " + line);
    }
  }

  @Provide
  Arbitrary<Mutant> metrics() {
    return Mutations.jsonLines(METRICS, "1", "3");
  }

  @Property(tries = 300, seed = FuzzSeed.VALUE)
  void checkpointsWithDamagedStateAreSkippedOrRefusedNamingThem(@ForAll("manifests") Mutant m) throws IOException {
    RunDirectory run = new RunDirectory(root);
    Files.write(checkpoint.resolve(Checkpoint.MANIFEST), m.bytes());
    long limit = (32L << 20) + 64L * m.bytes().length;
    List<String> warnings = new ArrayList<>();
    RunDirectory.CheckpointRef[] latest = new RunDirectory.CheckpointRef[1];
    assertNull(CleanFailure.check(BadInputException.class, null, limit, () -> latest[0] = run.latestCheckpoint(warnings::add)),
        "finding the checkpoint to resume from never fails on a damaged one");
    assertTrue(latest[0] != null || warnings.size() == 1 && warnings.get(0).contains(checkpoint.toString()), "skipped with a warning: " + warnings);
    if (latest[0] != null) {
      JsonNode saved = latest[0].trainingState();
      TrainingState[] state = new TrainingState[1];
      BadInputException e = CleanFailure.check(BadInputException.class, checkpoint.toString(), limit,
          () -> state[0] = TrainingState.fromJson(saved, latest[0].dir().toString()));
      if (e != null) {
        FuzzCorpus.keep("training-state", Integer.toHexString(Arrays.hashCode(m.bytes())) + ".json", m);
      } else {
        JsonNode back = state[0].toJson();
        for (String key : List.of("stage", "stage_name", "stage_step", "stage_final", "step", "seed", "failures_total")) {
          assertTrue(!saved.has(key) || same(saved.get(key), back.get(key)), "'" + key + "' read as it was written: " + saved.get(key)
              + " became " + back.get(key));
        }
      }
    }
    assertNull(CleanFailure.check(BadInputException.class, null, limit, () -> run.stageFinal("a")));
    assertNull(CleanFailure.check(BadInputException.class, null, limit, () -> {
      run.prune(1);
      return null;
    }));
  }

  /** Equal JSON values, numbers by value (an int and a long of the same value are the same). */
  static boolean same(JsonNode a, JsonNode b) {
    return a.isNumber() ? b.isNumber() && a.decimalValue().compareTo(b.decimalValue()) == 0 : a.equals(b);
  }

  @Provide
  Arbitrary<Mutant> manifests() {
    return Mutations.json(validManifest, "\"a\"", "\"b\"", "true", "false", "\"true\"");
  }
}

package io.worldring.actors.supervisor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.worldring.actors.wire.WorldringWire;
import io.worldring.model.BadInputException;
import io.worldring.model.fuzz.CleanFailure;
import io.worldring.model.fuzz.FuzzCorpus;
import io.worldring.model.io.Checkpoint;
import io.worldring.ring.wire.WireFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays {@code src/test/resources/fuzz-corpus/}: actor messages, ledgers and checkpoints whose training state
 * exposed a bug (named after it), and representative ones the properties found. Each is refused cleanly.
 */
class FuzzCorpusTest {
  static final ActorTestKit KIT = ActorTestKit.create("corpus", ConfigFactory.parseString("pekko.actor.provider = local"));

  @TempDir
  Path dir;

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  static void named(Path corpus, Runnable check) {
    try {
      check.run();
    } catch (AssertionError e) {
      throw new AssertionError(corpus.getParent().getFileName() + "/" + corpus.getFileName() + ": " + e.getMessage(), e);
    }
  }

  @Test
  void actorMessages() throws IOException {
    WireFormat format = WorldringWire.get(KIT.system()).format();
    for (Path f : FuzzCorpus.files(FuzzCorpusTest.class, "actor-wire")) {
      byte[] message = Files.readAllBytes(f);
      named(f, () -> CleanFailure.refused(WireFormat.WireException.class, null, 8L << 20, () -> format.fromBytes(message)));
    }
  }

  @Test
  void ledgers() throws IOException {
    RunDirectory run = new RunDirectory(dir);
    for (Path f : FuzzCorpus.files(FuzzCorpusTest.class, "ledger")) {
      Files.copy(f, run.ledger(), StandardCopyOption.REPLACE_EXISTING);
      named(f, () -> {
        BadInputException e = CleanFailure.refused(BadInputException.class, run.ledger().toString(), 16L << 20, run::ledgerEntries);
        assertTrue(e.getMessage().matches("(?s).*ledger\\.jsonl:\\d+: .*"), "names the line: " + e.getMessage());
      });
    }
  }

  @Test
  void trainingStates() throws IOException {
    RunDirectory run = new RunDirectory(dir);
    Path checkpoint = RunDirectoryFuzzTest.checkpoint(run);
    for (Path f : FuzzCorpus.files(FuzzCorpusTest.class, "training-state")) {
      Files.copy(f, checkpoint.resolve(Checkpoint.MANIFEST), StandardCopyOption.REPLACE_EXISTING);
      named(f, () -> {
        List<String> warnings = new ArrayList<>();
        RunDirectory.CheckpointRef ref = run.latestCheckpoint(warnings::add);
        if (ref == null) {
          assertTrue(warnings.size() == 1 && warnings.get(0).contains(checkpoint.toString()), "skipped with a warning: " + warnings);
        } else {
          CleanFailure.refused(BadInputException.class, checkpoint.toString(), 16L << 20,
              () -> TrainingState.fromJson(ref.trainingState(), ref.dir().toString()));
        }
      });
    }
  }
}

package io.worldring.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.model.BadInputException;
import io.worldring.model.ModelConfig;
import io.worldring.model.ParameterLayout;
import io.worldring.model.Parameters;
import io.worldring.model.fuzz.CleanFailure;
import io.worldring.model.fuzz.FuzzCorpus;
import io.worldring.model.fuzz.FuzzSeed;
import io.worldring.model.fuzz.Mutations.Mutant;
import io.worldring.model.fuzz.Mutations;
import io.worldring.model.train.AdamW;
import io.worldring.model.train.OptimizerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A checkpoint whose manifest ({@code worldring.json}) is mutated from the valid one: verified, read and loaded,
 * or refused naming a file of the checkpoint; and resuming skips it with a warning instead of failing.
 */
class CheckpointManifestFuzzTest {
  static final ModelConfig CONFIG = new ModelConfig(8, 1, 2, 1, 16, 12, 1e-5, 10_000, 32, false);
  private static Path checkpoints;
  private static Path checkpoint;
  private static String validManifest;

  @BeforeContainer
  static void seed() throws IOException {
    checkpoints = Files.createTempDirectory("manifest-fuzz");
    checkpoint = checkpoint(checkpoints);
    validManifest = Files.readString(checkpoint.resolve(Checkpoint.MANIFEST));
  }

  /** A valid checkpoint (weights and optimizer moments) of step 3 under {@code checkpoints}. */
  static Path checkpoint(Path checkpoints) throws IOException {
    Path dir = checkpoints.resolve(Checkpoint.stepDirName(3));
    Parameters weights = ParameterLayout.initialize(CONFIG, 1, DataType.FLOAT);
    AdamW optimizer = new AdamW(new OptimizerConfig(1e-3, 0, "constant", 1e-3, 10, 0.9, 0.95, 1e-8, 0.0, 1.0), weights);
    Checkpoint.save(dir, CONFIG, weights, optimizer, 3, new ObjectMapper().readTree("{\"stage\": 0, \"position\": [1, 2]}"));
    return dir;
  }

  @AfterContainer
  static void clean() throws IOException {
    Checkpoint.deleteRecursively(checkpoints);
  }

  @Property(tries = 500, seed = FuzzSeed.VALUE)
  void mutatedManifestsAreLoadedOrRefusedNamingTheCheckpoint(@ForAll("manifests") Mutant m) throws IOException {
    Files.write(checkpoint.resolve(Checkpoint.MANIFEST), m.bytes());
    long limit = (32L << 20) + 64L * m.bytes().length;
    String names = checkpoint.toString();
    BadInputException verify = CleanFailure.check(BadInputException.class, names, limit, () -> {
      Checkpoint.verify(checkpoint);
      return null;
    });
    CleanFailure.check(BadInputException.class, names, limit, () -> Checkpoint.readManifest(checkpoint));
    BadInputException load = CleanFailure.check(BadInputException.class, names, limit, () -> Checkpoint.load(checkpoint, DataType.FLOAT));
    if (verify != null && load == null) {
      throw new AssertionError("loads a checkpoint that does not verify: " + verify.getMessage());
    }
    List<String> warnings = new ArrayList<>();
    Path[] latest = new Path[1];
    assertNull(CleanFailure.check(BadInputException.class, names, limit, () -> latest[0] = Checkpoint.latestValidIn(checkpoints, warnings::add)),
        "resuming never fails on a damaged checkpoint");
    if (verify == null) {
      assertEquals(checkpoint, latest[0]);
    } else {
      assertTrue(latest[0] == null && warnings.size() == 1 && warnings.get(0).contains(names), "skipped with a warning naming it: " + warnings);
      FuzzCorpus.keep("checkpoint-manifest", Integer.toHexString(Arrays.hashCode(m.bytes())) + ".json", m);
    }
  }

  @Provide
  Arbitrary<Mutant> manifests() {
    return Mutations.json(validManifest, "\"worldring-checkpoint/1\"", "\"model.safetensors\"", "{\"bytes\": 10, \"sha256\": \"00\"}",
        "{\"../config.json\": {\"bytes\": 1, \"sha256\": \"x\"}}", "{\"\\u0000\": {\"bytes\": 1}}", "{\"/\": {}}");
  }
}

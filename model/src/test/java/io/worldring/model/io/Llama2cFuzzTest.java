package io.worldring.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.worldring.model.BadInputException;
import io.worldring.model.fuzz.CleanFailure;
import io.worldring.model.fuzz.FuzzCorpus;
import io.worldring.model.fuzz.FuzzSeed;
import io.worldring.model.fuzz.Mutations.Mutant;
import io.worldring.model.fuzz.Mutations;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * llama2.c checkpoints mutated from a valid one (mostly in the seven-int header): imported, or refused naming
 * the file; and an import that fails leaves the checkpoint already at its output exactly as it was.
 */
class Llama2cFuzzTest {
  /** dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size (negative: untied classifier), seq_len. */
  static final int[] HEADER = {8, 16, 1, 2, 1, -12, 4};
  private static Path dir;
  private static byte[] valid;

  @BeforeContainer
  static void seed() throws IOException {
    dir = Files.createTempDirectory("llama2c-fuzz");
    valid = file(HEADER);
    Path out = dir.resolve("imported");
    ImportedModel m = Llama2cImporter.read(Files.write(dir.resolve("seed.bin"), valid));
    Checkpoint.save(out, m.config(), m.weights(), null, 0, null);
  }

  @AfterContainer
  static void clean() throws IOException {
    Checkpoint.deleteRecursively(dir);
  }

  /** A llama2.c file of the given header, its float arrays as the format lays them out (values arbitrary). */
  static byte[] file(int[] h) {
    int dim = h[0];
    int hidden = h[1];
    int layers = h[2];
    int headSize = dim / h[3];
    int kvDim = h[4] * headSize;
    int vocab = Math.abs(h[5]);
    int floats = vocab * dim + layers * dim + layers * dim * dim + 2 * layers * kvDim * dim + layers * dim * dim + layers * dim
        + 3 * layers * hidden * dim + dim + h[6] * headSize + (h[5] < 0 ? vocab * dim : 0);
    ByteBuffer b = ByteBuffer.allocate(7 * 4 + floats * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int x : h) {
      b.putInt(x);
    }
    for (int i = 0; i < floats; i++) {
      b.putFloat((i % 17) / 17f - 0.5f);
    }
    return b.array();
  }

  @Property(tries = 500, seed = FuzzSeed.VALUE)
  void mutatedFilesAreImportedOrRefusedNamingTheFile(@ForAll("files") Mutant m) throws IOException {
    Path f = Files.write(dir.resolve("fuzzed.bin"), m.bytes());
    if (CleanFailure.check(BadInputException.class, f.toString(), (32L << 20) + 64L * m.bytes().length, () -> Llama2cImporter.read(f)) != null) {
      FuzzCorpus.keep("llama2c", Integer.toHexString(Arrays.hashCode(m.bytes())) + ".bin", m);
    }
  }

  @Property(tries = 200, seed = FuzzSeed.VALUE)
  void aFailedImportLeavesTheOutputCheckpointAsItWas(@ForAll("files") Mutant m) throws IOException {
    Path f = Files.write(dir.resolve("import.bin"), m.bytes());
    Path out = dir.resolve("imported");
    Map<String, String> before = digests(out);
    BadInputException e = CleanFailure.check(BadInputException.class, f.toString(), (64L << 20) + 64L * m.bytes().length, () -> {
      ImportedModel imported = Llama2cImporter.read(f);
      Checkpoint.save(out, imported.config(), imported.weights(), null, 0, null);
      return imported;
    });
    if (e != null) {
      assertEquals(before, digests(out), "a refused input must not change the output");
    } else {
      Checkpoint.verify(out);
    }
  }

  @Provide
  Arbitrary<Mutant> files() {
    return Mutations.bytes(valid, 7 * 4);
  }

  /** Every file under {@code root} (hidden leftovers beside it included) with its SHA-256. */
  static Map<String, String> digests(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root.getParent())) {
      for (Path p : s.filter(Files::isRegularFile).filter(p -> !p.getParent().equals(root.getParent())).toList()) {
        out.put(root.getParent().relativize(p).toString(), Checkpoint.sha256(p));
      }
    }
    return out;
  }
}

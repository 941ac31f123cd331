package io.worldring.datasets;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.BadInputException;
import io.worldring.model.fuzz.CleanFailure;
import io.worldring.model.fuzz.FuzzCorpus;
import io.worldring.model.fuzz.FuzzSeed;
import io.worldring.model.fuzz.Mutations.Mutant;
import io.worldring.model.fuzz.Mutations;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hugging Face {@code tokenizer.json} files mutated from the test tokenizer: loaded (and then every id it gives
 * is inside its vocabulary), or refused naming the file (and the position, for broken JSON).
 */
class HfTokenizerFuzzTest {
  private static Path dir;
  private static String valid;

  @BeforeContainer
  static void seed() throws IOException, URISyntaxException {
    dir = Files.createTempDirectory("tokenizer-fuzz");
    valid = Files.readString(TokenizerTest.tokenizerJson());
  }

  @AfterContainer
  static void clean() throws IOException {
    Files.deleteIfExists(dir.resolve("tokenizer.json"));
    Files.delete(dir);
  }

  @Property(tries = 300, seed = FuzzSeed.VALUE)
  void mutatedTokenizersAreLoadedOrRefusedNamingTheFile(@ForAll("tokenizers") Mutant m) throws IOException {
    Path f = Files.write(dir.resolve("tokenizer.json"), m.bytes());
    BadInputException e = CleanFailure.check(BadInputException.class, f.toString(), (64L << 20) + 64L * m.bytes().length, () -> {
      try (HfTokenizer t = HfTokenizer.load(f)) {
        for (int id : t.encode("Hello, world! Ünïcode \u2603")) {
          if (id < 0 || id >= t.vocabSize()) {
            throw new AssertionError("id " + id + " outside the vocabulary of " + t.vocabSize());
          }
        }
        t.decode(new int[] {t.bos(), t.eos(), t.pad()});
        return t.vocabSize();
      }
    });
    if (e != null && e.getMessage().contains("not valid")) {
      assertTrue(e.getMessage().matches("(?s).*(line \\d+, column \\d+|at byte \\d+).*"), "names the position: " + e.getMessage());
    }
    if (e != null) {
      FuzzCorpus.keep("tokenizer-json", Integer.toHexString(Arrays.hashCode(m.bytes())) + ".json", m);
    }
  }

  @Provide
  Arbitrary<Mutant> tokenizers() {
    return Mutations.json(valid, "\"<s>\"", "\"</s>\"", "\"<pad>\"", "\"BPE\"", "\"WordPiece\"", "\"Unigram\"", "4294967295", "2147483647",
        "{\"<s>\": 1}", "\"ll\"", "\"l \"", "\"\\u65e5 l\"", "[\"l\", \"l\"]", "\"e l\"", "\"##\"");
  }
}

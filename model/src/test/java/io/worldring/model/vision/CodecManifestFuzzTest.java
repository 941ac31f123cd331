package io.worldring.model.vision;

import io.worldring.model.BadInputException;
import io.worldring.model.fuzz.CleanFailure;
import io.worldring.model.fuzz.FuzzCorpus;
import io.worldring.model.fuzz.FuzzSeed;
import io.worldring.model.fuzz.Mutations.Mutant;
import io.worldring.model.fuzz.Mutations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A vision tokenizer directory whose {@code tokenizer.json} is mutated from a valid one: loaded, or refused naming
 * the file (or the codebook file beside it, when the two disagree).
 */
class CodecManifestFuzzTest {
  private static Path dir;
  private static String validManifest;

  @BeforeContainer
  static void seed() throws IOException {
    dir = Files.createTempDirectory("codec-manifest-fuzz");
    PatchCodebookConfig config = new PatchCodebookConfig(8, 4, 4, 1, 1, 16);
    Nd4j.getRandom().setSeed(1);
    new PatchCodebook(config, Nd4j.rand(DataType.FLOAT, 4, config.patchDim()), new PatchCodebook.TrainingSummary(16, 1, 0, 0.5))
        .save(dir);
    validManifest = Files.readString(dir.resolve(CodecManifest.FILE));
    FrameCodecs.load(dir); // the seed is valid
  }

  @AfterContainer
  static void clean() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Property(tries = 400, seed = FuzzSeed.VALUE)
  void mutatedManifestsAreLoadedOrRefusedNamingTheFile(@ForAll("manifests") Mutant m) throws IOException {
    Path f = Files.write(dir.resolve(CodecManifest.FILE), m.bytes());
    if (CleanFailure.check(BadInputException.class, dir.toString(), (16L << 20) + 64L * m.bytes().length, () -> FrameCodecs.load(dir)) != null) {
      FuzzCorpus.keep("codec-manifest", Integer.toHexString(Arrays.hashCode(m.bytes())) + ".json", m);
    }
  }

  @Provide
  Arbitrary<Mutant> manifests() {
    return Mutations.json(validManifest, "\"vqgan\"", "\"patch-kmeans\"", "\"tiny\"", "\"worldring-frame-codec/1\"", "16", "64", "2",
        "2147483647", "1073741824");
  }
}

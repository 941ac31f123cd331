package io.worldring.model.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.BadInputException;
import io.worldring.model.fuzz.CleanFailure;
import io.worldring.model.fuzz.FuzzCorpus;
import io.worldring.model.vision.FrameCodecs;
import io.worldring.model.vision.PatchCodebook;
import io.worldring.model.vision.PatchCodebookConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Replays {@code src/test/resources/fuzz-corpus/}: malformed inputs that exposed a bug in a reader (named after
 * it) and representative ones the properties found. Each must be refused with a BadInputException naming the
 * file, without a hang or an allocation out of proportion.
 */
class FuzzCorpusTest {
  @TempDir
  Path dir;

  /** Puts each corpus file of {@code format} where {@code parse} reads it ({@code target}) and expects a clean refusal. */
  void replay(String format, Path target, String mustName, Callable<?> parse) throws IOException {
    for (Path corpus : FuzzCorpus.files(FuzzCorpusTest.class, format)) {
      Files.copy(corpus, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      try {
        CleanFailure.refused(BadInputException.class, mustName, (64L << 20) + 64 * Files.size(corpus), parse);
      } catch (AssertionError e) {
        throw new AssertionError(format + "/" + corpus.getFileName() + ": " + e.getMessage(), e);
      }
    }
  }

  @Test
  void safetensors() throws IOException {
    Path f = dir.resolve("model.safetensors");
    replay("safetensors", f, f.toString(), () -> Safetensors.read(f, DataType.FLOAT));
  }

  @Test
  void llama2c() throws IOException {
    Path f = dir.resolve("model.bin");
    replay("llama2c", f, f.toString(), () -> Llama2cImporter.read(f));
  }

  @Test
  void hfConfig() throws IOException {
    Path f = dir.resolve("config.json");
    replay("hf-config", f, f.toString(), () -> HfConfig.read(f));
  }

  @Test
  void hfShardIndex() throws IOException {
    Path model = HfConfigFuzzTest.modelDirectory(dir.resolve("model"));
    replay("hf-index", model.resolve("model.safetensors.index.json"), model.toString(), () -> HfImporter.read(model));
  }

  @Test
  void checkpointManifest() throws IOException {
    Path checkpoint = CheckpointManifestFuzzTest.checkpoint(dir);
    replay("checkpoint-manifest", checkpoint.resolve(Checkpoint.MANIFEST), checkpoint.toString(), () -> Checkpoint.load(checkpoint, DataType.FLOAT));
    assertTrue(Checkpoint.latestValidIn(dir, m -> { }) == null, "the last one replayed does not verify either");
  }

  @Test
  void visionTokenizerManifest() throws IOException {
    Path tokenizer = dir.resolve("tokenizer");
    PatchCodebookConfig config = new PatchCodebookConfig(8, 4, 4, 1, 1, 16);
    new PatchCodebook(config, Nd4j.rand(DataType.FLOAT, 4, config.patchDim()), new PatchCodebook.TrainingSummary(16, 1, 0, 0.5)).save(tokenizer);
    FrameCodecs.load(tokenizer);
    replay("codec-manifest", tokenizer.resolve("tokenizer.json"), tokenizer.toString(), () -> FrameCodecs.load(tokenizer));
  }
}

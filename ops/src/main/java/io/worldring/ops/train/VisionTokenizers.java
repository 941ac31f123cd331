package io.worldring.ops.train;

import io.worldring.actors.supervisor.RunPlan;
import io.worldring.actors.supervisor.Stage;
import io.worldring.datasets.stage.StageData;
import io.worldring.model.BadInputException;
import io.worldring.model.vision.PatchCodebook;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Keeps each vision stage's tokenizer beside the run ({@code RUN/tokenizers/STAGE/}), so that
 * {@code worldring ask --tokenizer} and {@code generate --tokenizer} use the very codebook the stage's
 * data was encoded with. A stage whose codebook is trained at stage open (data.vision.tokenizer = "")
 * gets it written here once; every node of a cluster may try, and the first complete copy wins.
 */
public final class VisionTokenizers {
  private VisionTokenizers() {}

  /** Where stage {@code stage}'s tokenizer is kept in {@code runDir}. */
  public static Path dir(Path runDir, String stage) {
    return runDir.resolve("tokenizers").resolve(stage);
  }

  public static void keep(RunPlan plan) {
    for (Stage stage : plan.stages()) {
      if (!stage.data().vision().enabled() || !stage.data().vision().tokenizer().isEmpty()) {
        continue; // no vision, or a tokenizer directory the user already has
      }
      Path target = dir(plan.runDir(), stage.name());
      if (Files.isRegularFile(target.resolve("tokenizer.json"))) {
        continue;
      }
      PatchCodebook codebook = (PatchCodebook) StageData.visionTokenizer(stage.data()).codec();
      try {
        Files.createDirectories(target.getParent());
        Path partial = Files.createTempDirectory(target.getParent(), stage.name() + ".partial");
        codebook.save(partial);
        try {
          Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
          delete(partial); // another node's copy got there first
        }
      } catch (IOException e) {
        throw new BadInputException(target + ": cannot write the stage's vision tokenizer (" + e.getMessage() + ")", e);
      }
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

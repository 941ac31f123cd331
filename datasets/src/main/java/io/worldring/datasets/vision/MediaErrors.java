package io.worldring.datasets.vision;

import io.worldring.model.BadInputException;
import java.nio.file.Path;

/** Decoder failures as the one exception the command line reports: the file, what was being done, the cause. */
final class MediaErrors {
  private MediaErrors() {}

  static BadInputException wrap(Path path, String what, Exception e) {
    if (e instanceof BadInputException b) {
      return b;
    }
    return new BadInputException(path + ": " + what + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
  }
}

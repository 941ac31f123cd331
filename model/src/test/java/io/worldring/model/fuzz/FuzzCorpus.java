package io.worldring.model.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The malformed inputs kept under a module's {@code src/test/resources/fuzz-corpus/FORMAT/}: the ones that
 * exposed a bug, and a few representative ones per format. Each module's corpus test replays every file
 * through its parser, so a fixed bug stays fixed without running the properties.
 *
 * <p>While fuzzing, {@code -Dworldring.fuzz.keep=DIR} makes {@link #keep} save inputs under
 * {@code DIR/FORMAT/}, to choose new corpus files from.
 */
public final class FuzzCorpus {
  public static final String ROOT = "fuzz-corpus";

  private FuzzCorpus() {}

  /** The corpus files of {@code format} on {@code anchor}'s class path, by name; fails if there are none. */
  public static List<Path> files(Class<?> anchor, String format) {
    URL url = anchor.getResource("/" + ROOT + "/" + format);
    if (url == null) {
      throw new AssertionError("no " + ROOT + "/" + format + " on the test class path");
    }
    try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
      List<Path> files = s.filter(Files::isRegularFile).sorted().toList();
      if (files.isEmpty()) {
        throw new AssertionError(ROOT + "/" + format + " holds no files");
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Saves {@code mutant} as {@code DIR/format/name} when {@code -Dworldring.fuzz.keep=DIR} is set; otherwise nothing. */
  public static void keep(String format, String name, Mutations.Mutant mutant) {
    String dir = System.getProperty("worldring.fuzz.keep");
    if (dir == null) {
      return;
    }
    try {
      Path out = Path.of(dir, format);
      Files.createDirectories(out);
      Files.write(out.resolve(name), mutant.bytes());
      Files.writeString(out.resolve(name + ".how"), mutant.how() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

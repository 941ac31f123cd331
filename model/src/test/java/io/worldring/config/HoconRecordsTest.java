package io.worldring.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.worldring.model.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HoconRecordsTest {
  enum Schedule { CONSTANT, COSINE }

  record Inner(double rate, Schedule schedule) {}

  record Outer(int steps, long seed, String name, boolean flag, List<Integer> sizes, Inner inner) {
    Outer {
      if (steps < 0) {
        throw new BadInputException("steps must be >= 0");
      }
    }
  }

  static final String GOOD = "x {\n steps = 3\n seed = 12345678901\n name = tiny\n flag = true\n sizes = [1, 2]\n"
      + " inner { rate = 1e-3, schedule = cosine }\n}\n";

  static Config file(Path dir, String text) throws IOException {
    Path f = dir.resolve("run.conf");
    Files.writeString(f, text);
    return ConfigFactory.parseFile(f.toFile()).resolve();
  }

  @Test
  void mapsKebabCaseKeysOntoRecords(@TempDir Path dir) throws IOException {
    Outer o = HoconRecords.read(file(dir, GOOD), "x", Outer.class);
    assertEquals(new Outer(3, 12345678901L, "tiny", true, List.of(1, 2), new Inner(1e-3, Schedule.COSINE)), o);
    assertEquals("learning-rate", HoconRecords.key("learningRate"));
  }

  static void assertError(Path dir, String text, String... parts) throws IOException {
    Config c = file(dir, text);
    BadInputException e = assertThrows(BadInputException.class, () -> HoconRecords.read(c, "x", Outer.class));
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
    }
  }

  @Test
  void unknownKeysNameFileAndLine(@TempDir Path dir) throws IOException {
    assertError(dir, GOOD.replace(" flag = true\n", " flag = true\n stpes = 4\n"), "run.conf:6", "unknown key 'x.stpes'", "known keys: steps");
    assertError(dir, GOOD.replace("schedule = cosine", "schedule = cosine, warmup = 3"), "run.conf:7", "unknown key 'x.inner.warmup'");
  }

  @Test
  void wrongTypesMissingKeysAndInvalidValues(@TempDir Path dir) throws IOException {
    assertError(dir, GOOD.replace("steps = 3", "steps = three"), "run.conf:2", "'x.steps' must be a number");
    assertError(dir, GOOD.replace("steps = 3", "steps = 3.5"), "'x.steps' must be a whole number");
    assertError(dir, GOOD.replace(" name = tiny\n", ""), "missing key 'x.name'");
    assertError(dir, GOOD.replace("schedule = cosine", "schedule = linear"), "run.conf:7", "'linear' is not one of [constant, cosine]");
    assertError(dir, GOOD.replace("flag = true", "flag = 1"), "'x.flag' must be true or false");
    assertError(dir, GOOD.replace("steps = 3", "steps = -1"), "steps must be >= 0");
  }
}

package io.worldring.ops.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.worldring.actors.supervisor.RunPlan;
import io.worldring.model.BadInputException;
import io.worldring.model.fuzz.CleanFailure;
import io.worldring.model.fuzz.FuzzSeed;
import io.worldring.model.fuzz.Mutations;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * HOCON run configs (`worldring train --config FILE`) through everything a run reads before it starts:
 * parsing, the settings record, the curriculum and each stage's data section. A damaged file is accepted
 * or refused with a {@link BadInputException} that names the file (a parse error, with its line) or the
 * config key at fault; never another exception, a hang, or an allocation out of proportion.
 */
class RunConfigFuzzTest {
  static final String VALID = """
      # a run config as the README shows them
      worldring.train {
        preset = tiny
        curriculum = demo
        devices = 2
        checkpoint-every = 50
        optimizer { schedule = constant, weight-decay = 0.1 }
      }
      worldring.curricula.demo = [
        { name = ctx-256, seq-len = 256, rope-theta = 10000, steps = 20, tokens-per-batch = 1024, learning-rate = 1e-3, warmup-steps = 5,
          data { min-doc-tokens = 0, books-weight = 0.5, qa-weight = 0.2, qa-chunk-tokens = 200, needle-weight = 0.3 } }
        { name = vision, seq-len = 512, rope-theta = 50000, steps = 4, tokens-per-batch = 1024, learning-rate = 1e-3, warmup-steps = 1,
          data { books-weight = 0, vision { qa-weight = 1, frames = 4, question-types = [first-colour] } } }
      ]
      """;

  static RunPlan plan(Path file) {
    Config config = RunConfig.load(file, Map.of());
    return TrainingRun.plan(RunConfig.settings(config), config, file.resolveSibling("run"), Long.MAX_VALUE);
  }

  @Property(tries = 300, seed = FuzzSeed.VALUE)
  void aDamagedRunConfigIsRefusedNamingTheFileOrTheKey(@ForAll("runConfigs") Mutations.Mutant m) throws Exception {
    Path dir = Files.createTempDirectory("worldring-config-fuzz");
    try {
      Path file = dir.resolve("run.conf");
      Files.write(file, m.bytes());
      BadInputException e = CleanFailure.check(BadInputException.class, null, 64L << 20, () -> plan(file));
      if (e != null) {
        String msg = e.getMessage();
        assertTrue(msg.contains("run.conf") || msg.contains("worldring.") || msg.contains("stage '") || msg.contains("data."),
            "names the file or the key: " + msg);
      }
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Values of the wrong size or type, written over one value of the valid config. */
  static final java.util.List<String> VALUES = java.util.List.of("-1", "0", "2147483648", "99999999999999999999999", "1e400", "NaN",
      "\"\"", "\"x\"", "null", "true", "[]", "{}", "[1, 2]", "{ a = 1 }", "${nowhere}", "${?nowhere}", "\"" + "a".repeat(5000) + "\"",
      "[".repeat(300) + "]".repeat(300), "\"../../etc\"", "first-color", "[first-colour, nothing]");

  @Provide
  Arbitrary<Mutations.Mutant> runConfigs() {
    byte[] valid = VALID.getBytes(StandardCharsets.UTF_8);
    java.util.List<Integer> valueStarts = new java.util.ArrayList<>();
    for (int i = VALID.indexOf("= "); i >= 0; i = VALID.indexOf("= ", i + 1)) {
      valueStarts.add(i + 2);
    }
    Arbitrary<Mutations.Mutant> values = net.jqwik.api.Combinators.combine(net.jqwik.api.Arbitraries.of(valueStarts),
        net.jqwik.api.Arbitraries.of(VALUES)).as((start, value) -> {
          int end = start;
          while (end < VALID.length() && ",}\n".indexOf(VALID.charAt(end)) < 0) {
            end++;
          }
          String text = VALID.substring(0, start) + value + VALID.substring(end);
          return new Mutations.Mutant(text.getBytes(StandardCharsets.UTF_8), "value at " + start + " -> " + value);
        });
    return net.jqwik.api.Arbitraries.oneOf(Mutations.bytes(valid, valid.length), values);
  }

  @org.junit.jupiter.api.Test
  void theCorpusIsRefusedNamingTheFileOrTheKey(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    java.util.List<Path> files = io.worldring.model.fuzz.FuzzCorpus.files(RunConfigFuzzTest.class, "run-config").stream()
        .filter(f -> f.toString().endsWith(".conf")).toList();
    assertTrue(files.size() >= 6, "corpus files: " + files);
    for (Path f : files) {
      Path file = dir.resolve(f.getFileName().toString());
      Files.copy(f, file);
      BadInputException e = CleanFailure.refused(BadInputException.class, f.getFileName().toString(), 64L << 20, () -> plan(file));
    }
  }

  @org.junit.jupiter.api.Test
  void theValidConfigPlansTwoStages(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path file = dir.resolve("run.conf");
    Files.writeString(file, VALID);
    RunPlan p = plan(file);
    assertEquals(2, p.stages().size());
    assertEquals("vision", p.stages().get(1).name());
  }
}

package io.worldring.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.datasets.vision.world.QuestionType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code worldring eval world-qa} on the tiny random vision checkpoint: its JSON, table, results file, resuming, compare and errors. */
class EvalWorldQaCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;
  static String tokenizer;
  static String vision;
  static String mismatched;

  @BeforeAll
  static void fixtures() {
    tokenizer = VisionFixtures.tokenizer(dir.resolve("tok")).toString();
    vision = VisionFixtures.checkpoint(dir.resolve("vision"), VisionFixtures.CODEBOOK + 2).toString();
    mismatched = VisionFixtures.checkpoint(dir.resolve("mismatched"), 20).toString();
  }

  static CliRunner.Result worldQa(String... extra) {
    String[] base = {"eval", "world-qa", "--checkpoint", vision, "--tokenizer", tokenizer, "--world", "tiny", "--frames", "4", "--videos", "3",
        "--questions-per-video", "2"};
    String[] args = Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return CliRunner.run(args);
  }

  @Test
  void printsTalliesAndATableAndResumesFromItsResultsFile() throws Exception {
    assertTrue(CliRunner.run("eval", "--help").out().contains("world-qa"));
    assertEquals(0, CliRunner.run("eval", "world-qa", "--help").exitCode());
    Path out = dir.resolve("results.json");
    CliRunner.Result r = worldQa("--out", out.toString());
    assertEquals(0, r.exitCode(), r.err());
    JsonNode n = JSON.readTree(r.out());
    assertEquals("world-qa", n.get("kind").asText());
    assertEquals(4, n.get("settings").get("frames").asInt());
    assertEquals(1L << 62, n.get("settings").get("first_video").asLong());
    JsonNode overall = n.get("overall");
    assertEquals(6, overall.get("questions").asInt());
    int questions = 0;
    for (var it = n.get("types").fields(); it.hasNext(); ) {
      var t = it.next();
      QuestionType type = QuestionType.valueOf(t.getKey().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
      assertEquals(type.chance(), t.getValue().get("chance").asDouble(), t.getKey());
      assertEquals(2, t.getValue().get("ci95").size());
      questions += t.getValue().get("questions").asInt();
    }
    assertEquals(6, questions);
    assertTrue(overall.get("p_value").asDouble() > 0 && overall.get("p_value").asDouble() <= 1);
    assertTrue(overall.get("p_value_method").asText().startsWith("exact"));
    assertTrue(r.err().contains("overall") && r.err().contains("95% interval") && r.err().contains("chance"), r.err());
    JsonNode file = JSON.readTree(out.toFile());
    assertEquals(6, file.get("answers").size());
    assertEquals(n.get("overall"), file.get("overall"));

    CliRunner.Result again = worldQa("--out", out.toString());
    assertEquals(0, again.exitCode(), again.err());
    assertTrue(again.err().contains("continuing " + out + " (6 questions answered)"), again.err());
    assertEquals(n, JSON.readTree(again.out()));
    CliTest.assertBadInput(worldQa("--out", out.toString(), "--seed", "7"), "--out " + out, "other settings");

    CliRunner.Result compare = CliRunner.run("eval", "compare", out.toString(), out.toString());
    assertEquals(0, compare.exitCode(), compare.err());
    assertTrue(compare.out().contains("world-qa overall"), compare.out());
  }

  @Test
  void badInputNamesTheFlag() throws Exception {
    CliTest.assertBadInput(CliRunner.run("eval", "world-qa", "--checkpoint", vision, "--tokenizer", tokenizer, "--world", "huge"),
        "--world must be tiny or small, got 'huge'");
    CliTest.assertBadInput(worldQa("--types", "colour"), "--types: unknown question type 'colour'");
    CliTest.assertBadInput(CliRunner.run("eval", "world-qa", "--checkpoint", vision, "--tokenizer", tokenizer, "--world", "tiny", "--frames",
        "64"), "--frames 64", "max sequence length of 1024", "frames fit");
    CliTest.assertBadInput(CliRunner.run("eval", "world-qa", "--checkpoint", mismatched, "--tokenizer", tokenizer),
        "--checkpoint " + mismatched, "--tokenizer " + tokenizer, "vision vocabulary of 20");
    assertTrue(Files.notExists(dir.resolve("nothing.json")));
  }
}

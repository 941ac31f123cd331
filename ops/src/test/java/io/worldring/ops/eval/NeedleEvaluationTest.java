package io.worldring.ops.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.datasets.ByteTokenizer;
import io.worldring.model.BadInputException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluation's bookkeeping with fake models whose answers are known: one that always finds the asked
 * needle, one that never does, and one that finds it only in the first half of the haystack.
 */
class NeedleEvaluationTest {
  static final ByteTokenizer BYTES = new ByteTokenizer();
  /** Short sentences, so a needle moved back to a sentence start stays within a few percent of its depth. */
  static final String HAYSTACK = haystack();

  static String haystack() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; b.length() < 100_000; i++) {
      b.append("The sea was calm on day ").append(i % 97).append(". ");
    }
    return b.toString();
  }
  static final Pattern NEEDLE = Pattern.compile("The special magic (\\S+) number is: (\\d{7})\\.");
  static final Pattern ASKED = Pattern.compile("What is the special magic (\\S+) number\\? ASSISTANT:$");

  /** Answers the asked needle's number when {@code where} (its relative position in the haystack) allows. */
  static Answerer oracle(java.util.function.DoublePredicate where) {
    return prompt -> {
      String text = BYTES.decode(prompt);
      Matcher q = ASKED.matcher(text);
      assertTrue(q.find(), "the prompt ends with the question");
      int start = text.indexOf(" USER: ");
      int end = text.lastIndexOf("\n\n");
      Matcher m = NEEDLE.matcher(text);
      while (m.find()) {
        if (m.group(1).equals(q.group(1))) {
          double position = 100.0 * (m.start() - start) / (end - start);
          return where.test(position) ? "The special magic " + m.group(1) + " number is: " + m.group(2) + "." : "I do not know.";
        }
      }
      return "no needle";
    };
  }

  static NeedleResults run(Path dir, Answerer model, List<Integer> contexts, List<Double> depths) {
    NeedleGrid grid = new NeedleGrid(contexts, depths, 2, 1, 1, 7);
    ObjectNode settings = new ObjectMapper().createObjectNode().put("test", dir.toString());
    Path file = dir.resolve("results.json");
    NeedleResults r = NeedleEvaluation.run(grid, HAYSTACK, BYTES, model, NeedleResults.resume(file, settings), file, p -> {});
    Heatmap.png(r, contexts, depths, "test", dir.resolve("heatmap.png"));
    Heatmap.html(r, contexts, depths, "test", dir.resolve("heatmap.html"));
    return r;
  }

  @Test
  void fakeModelsGiveTheExpectedHeatmaps(@TempDir Path dir) throws Exception {
    List<Integer> contexts = List.of(600, 1200);
    List<Double> depths = List.of(0.0, 25.0, 75.0, 100.0);
    NeedleResults always = run(Files.createDirectory(dir.resolve("always")), oracle(p -> true), contexts, depths);
    assertEquals(1.0, always.overall());
    NeedleResults never = run(Files.createDirectory(dir.resolve("never")), p -> "1234567", contexts, depths);
    assertEquals(0.0, never.overall());
    NeedleResults half = run(Files.createDirectory(dir.resolve("half")), oracle(p -> p < 50), contexts, depths);
    for (NeedleResults.Cell c : half.cells()) {
      assertEquals(c.depth() < 50 ? 1.0 : 0.0, c.accuracy(), "depth " + c.depth() + ", context " + c.context());
    }
    assertEquals(0.5, half.overall());

    JsonNode json = new ObjectMapper().readTree(dir.resolve("half/results.json").toFile());
    assertEquals(8, json.get("cells").size());
    assertEquals(2, json.get("cells").get(0).get("answers").size(), "raw answers are kept");
    for (JsonNode a : json.get("cells").get(0).get("answers")) {
      assertTrue(a.get("prompt_tokens").asInt() <= 600);
    }
    BufferedImage png = ImageIO.read(dir.resolve("half/heatmap.png").toFile());
    assertEquals(Heatmap.WIDTH, png.getWidth());
    assertEquals(Heatmap.HEIGHT, png.getHeight());
    // The plot shows green on the left (shallow needles) and red on the right.
    java.awt.Color left = new java.awt.Color(png.getRGB(Heatmap.WIDTH / 5, Heatmap.HEIGHT / 2));
    java.awt.Color right = new java.awt.Color(png.getRGB(Heatmap.WIDTH * 3 / 5 + 40, Heatmap.HEIGHT / 2));
    assertTrue(left.getGreen() > left.getRed(), "left is green: " + left);
    assertTrue(right.getRed() > right.getGreen(), "right is red: " + right);
    String html = Files.readString(dir.resolve("half/heatmap.html"));
    assertTrue(html.contains("title=\"context 600, depth 0%: accuracy 1.000 over 2 rounds\""), "hover text per cell");
    assertTrue(html.contains("overall accuracy 0.500"));
  }

  @Test
  void anInterruptedEvaluationContinues(@TempDir Path dir) {
    List<Integer> contexts = List.of(500);
    List<Double> depths = List.of(0.0, 50.0, 100.0);
    AtomicInteger calls = new AtomicInteger();
    Answerer failing = prompt -> {
      if (calls.incrementAndGet() == 4) {
        throw new IllegalStateException("interrupted");
      }
      return oracle(p -> true).answer(prompt);
    };
    assertThrows(IllegalStateException.class, () -> run(dir, failing, contexts, depths));
    calls.set(100);
    AtomicInteger second = new AtomicInteger();
    NeedleResults r = run(dir, prompt -> {
      second.incrementAndGet();
      return oracle(p -> true).answer(prompt);
    }, contexts, depths);
    assertEquals(4, second.get(), "the first cell (2 rounds) was kept; 2 cells were left");
    assertEquals(3, r.cells().size());
    assertEquals(1.0, r.overall());
  }

  @Test
  void settingsWithLongNumbersResume(@TempDir Path dir) {
    // The CLI's settings hold the seed as a long; read back from the file it is an int.
    ObjectNode settings = new ObjectMapper().createObjectNode().put("seed", 7L).put("test", dir.toString());
    Path file = dir.resolve("results.json");
    new NeedleResults(settings).write(file);
    assertEquals(0, NeedleResults.resume(file, settings.deepCopy()).cells().size());
  }

  @Test
  void otherSettingsAreNotMixedIn(@TempDir Path dir) {
    run(dir, p -> "x", List.of(500), List.of(0.0));
    ObjectNode other = new ObjectMapper().createObjectNode().put("test", "elsewhere");
    BadInputException e = assertThrows(BadInputException.class, () -> NeedleResults.resume(dir.resolve("results.json"), other));
    assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    assertThrows(BadInputException.class, () -> NeedleGrid.parseContexts("1024:512:3"));
    assertEquals(List.of(1024, 2048, 3072, 4096), NeedleGrid.parseContexts("1024:4096:4"));
    assertEquals(List.of(0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0), NeedleGrid.parse("0:100:11", "--depths"));
  }
}

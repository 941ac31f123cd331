package io.worldring.ops.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.BadInputException;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {
  /** A step log of two stages; a failure before step 7 (re-run, 2 attempts), a device joining at step 12. */
  static String log(int steps) {
    StringBuilder b = new StringBuilder();
    Instant t = Instant.parse("2026-11-29T10:00:00Z");
    for (int s = 1; s <= steps; s++) {
      int failures = s >= 7 ? 1 : 0;
      int changes = s >= 12 ? 1 : 0;
      int devices = s >= 12 ? 3 : 2;
      double seconds = s == 7 ? 11.5 : 0.5;
      t = t.plusMillis((long) (seconds * 1000));
      b.append(String.format(Locale.ROOT, "{\"step\":%d,\"stage\":\"%s\",\"stage_step\":%d,\"loss\":%.3f,\"grad_norm\":1.0,"
          + "\"learning_rate\":0.001,\"tokens\":512,\"tokens_per_second\":%.1f,\"step_seconds\":%.2f,\"devices\":%d,\"attempts\":%d,"
          + "\"failures_total\":%d,\"membership_changes_total\":%d,\"mfu_ratio\":0.01,\"overlap_ratio\":[%s],\"time\":\"%s\"}\n", s,
          s <= 10 ? "ctx-256" : "ctx-512", s <= 10 ? s : s - 10, 5.0 - s * 0.1, 512 / seconds, seconds, devices, s == 7 ? 2 : 1, failures,
          changes, devices == 2 ? "0.9,0.8" : "0.9,0.8,0.7", t));
    }
    return b.toString();
  }

  @Test
  void chartsAndOnePageWithRecoveriesMarked(@TempDir Path dir) throws Exception {
    Path run = Files.createDirectories(dir.resolve("run"));
    Files.writeString(run.resolve("metrics.jsonl"), log(20) + "{\"step\":21,\"sta"); // an append cut short
    RunReport.Written w = RunReport.write(run, run.resolve("report"));
    assertEquals(20, w.steps());
    assertEquals(1, w.recoveries());
    assertEquals(4, w.charts().size());
    for (Path png : w.charts()) {
      BufferedImage img = ImageIO.read(png.toFile());
      assertEquals(RunCharts.WIDTH, img.getWidth(), png.toString());
      assertEquals(RunCharts.HEIGHT, img.getHeight(), png.toString());
    }
    String html = Files.readString(w.html(), StandardCharsets.UTF_8);
    assertEquals(4, html.split("data:image/png;base64,", -1).length - 1, "charts embedded: the page stands alone");
    assertTrue(html.contains("recovery before step 7"), html);
    assertTrue(html.contains("ring of 3 from step 12"), html);
    assertTrue(html.contains(">ctx-256<") && html.contains(">ctx-512<"), "a row per stage");
    assertTrue(html.contains("cut short"), "the torn last line is reported");
    assertFalse(Files.exists(run.resolve("report/report.html.partial")));
  }

  @Test
  void stageSummariesAndEvents() {
    List<StepLog.Step> steps = StepLog.read(write(log(20))).steps();
    List<RunReport.StageSummary> stages = RunReport.stages(steps);
    assertEquals(2, stages.size());
    assertEquals(10, stages.get(0).steps());
    assertEquals(5.0 - 0.1, stages.get(0).firstLoss(), 1e-9);
    assertEquals(1024.0, stages.get(0).medianTokensPerSecond(), 1e-9, "9 steps at 0.5 s, one at 11.5 s");
    assertEquals(2, stages.get(1).minDevices());
    assertEquals(3, stages.get(1).maxDevices());
    List<RunEvents.Event> events = RunEvents.of(steps);
    assertEquals(List.of(RunEvents.Kind.RECOVERY, RunEvents.Kind.RING_CHANGE), events.stream().map(RunEvents.Event::kind).toList());
    assertEquals(7, events.get(0).at().step());
    assertEquals(11.5, events.get(0).gapSeconds(), 1e-9, "the re-run step's wall time since step 6");
    assertEquals(3, steps.get(19).overlapRatios().length);
  }

  @Test
  void badLogsNameFileAndLineAndWriteNothing(@TempDir Path dir) throws Exception {
    Path run = Files.createDirectories(dir.resolve("run"));
    String[] lines = log(5).split("\n");
    lines[2] = "{\"step\":3,\"stage\":\"x\"}"; // a complete line missing its fields
    Files.writeString(run.resolve("metrics.jsonl"), String.join("\n", lines) + "\n");
    BadInputException e = assertThrows(BadInputException.class, () -> RunReport.write(run, run.resolve("report")));
    assertTrue(e.getMessage().contains("metrics.jsonl:3: not a step record (missing \"loss\")"), e.getMessage());
    assertFalse(Files.exists(run.resolve("report")), "nothing written");
    BadInputException none = assertThrows(BadInputException.class, () -> RunReport.write(dir.resolve("nowhere"), dir.resolve("r")));
    assertTrue(none.getMessage().contains("no step log here"), none.getMessage());
  }

  private static Path write(String text) {
    try {
      Path dir = Files.createTempDirectory("report");
      Files.writeString(dir.resolve("metrics.jsonl"), text);
      return dir;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

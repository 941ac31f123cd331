package io.worldring.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged application through the `./worldring` launcher, in separate JVMs: the jar's class path,
 * the native libraries, the launcher's settings, and the exit codes.
 */
class LauncherIT {
  static final Path ROOT = Path.of(System.getProperty("worldring.root", "..")).toAbsolutePath().normalize();

  record Run(int code, String out, String err) {}

  static Run launch(Path dir, String... args) throws IOException, InterruptedException {
    return finish(dir, start(dir, args), 180);
  }

  static Process start(Path dir, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ROOT.resolve("worldring").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
    pb.environment().put("WORLDRING_HEAP", "1g");
    pb.environment().put("WORLDRING_OFFHEAP", "1g");
    return pb.start();
  }

  static Run finish(Path dir, Process p, int seconds) throws IOException, InterruptedException {
    String[] args = p.info().arguments().orElse(new String[0]);
    try {
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        throw new AssertionError("worldring " + String.join(" ", args) + " did not finish in " + seconds + " s");
      }
      return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
          Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void helpAndVersion(@TempDir Path dir) throws Exception {
    Run help = launch(dir, "--help");
    assertEquals(0, help.code(), help.err());
    assertTrue(help.out().contains("train") && help.out().contains("import"), help.out());
    Run train = launch(dir, "train", "--help");
    assertEquals(0, train.code(), train.err());
    assertTrue(train.out().contains("--run-dir"), train.out());
  }

  /**
   * `./worldring train` with no arguments: the tiny curriculum (256 -> 512 -> 1K tokens, then a chat stage
   * from the 1K model) on a local cluster of 4 device actors, each stage from the previous stage's final
   * checkpoint, every stage's final checkpoint kept.
   */
  @Test
  void theDefaultTrainingRunsTheTinyCurriculum(@TempDir Path dir) throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process running = start(dir, "train", "--run-dir", "run", "--progress", "plain", "--metrics-port", Integer.toString(port));
    // While it trains, `worldring status` (in this JVM, over HTTP) sees the supervisor's view.
    CliRunner.Result status = null;
    for (int i = 0; i < 300 && running.isAlive(); i++) {
      status = CliRunner.run("status", "--node", "127.0.0.1:" + port, "--json");
      if (status.exitCode() == 0 && new com.fasterxml.jackson.databind.ObjectMapper().readTree(status.out()).get("step").asLong() > 0) {
        break;
      }
      Thread.sleep(200);
    }
    assertTrue(status != null && status.exitCode() == 0, "status answered while training: " + (status == null ? "" : status.err()));
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(status.out());
    assertEquals("run", json.get("run_id").asText());
    assertEquals("ctx-256", json.get("stage").asText(), status.out());
    assertEquals(4, json.get("ring").size(), status.out());
    assertTrue(json.get("loss").asDouble() > 0, status.out());
    CliRunner.Result human = CliRunner.run("status", "--node", "127.0.0.1:" + port);
    assertEquals(0, human.exitCode(), human.err());
    assertTrue(human.out().contains("ring        4 devices") && human.out().contains("stage       ctx-256 (1 of 4)"), human.out());
    Run train = finish(dir, running, 180);
    assertEquals(0, train.code(), train.err());
    for (String stage : List.of("stage 1 ctx-256", "stage 2 ctx-512", "stage 3 ctx-1k", "stage 4 chat-1k")) {
      assertTrue(train.err().contains(stage), stage + " ran: " + train.err());
    }
    List<String> metrics = Files.readAllLines(dir.resolve("run/metrics.jsonl"));
    assertEquals(130, metrics.size());
    assertTrue(metrics.get(129).contains("\"devices\":4"), metrics.get(129));
    assertEquals(130, Files.readAllLines(dir.resolve("run/ledger.jsonl")).size());
    for (int step : new int[] {60, 90, 110, 130}) {
      assertTrue(Files.isRegularFile(dir.resolve("run/checkpoints").resolve(String.format("step-%08d", step)).resolve("worldring.json")),
          "stage-final checkpoint at step " + step);
    }
    assertTrue(Files.readString(dir.resolve("run/run.conf")).contains("chat-1k"), "run.conf holds the curriculum");

    Run report = launch(dir, "report", "--run", "run");
    assertEquals(0, report.code(), report.err());
    assertTrue(report.out().contains("report of 130 steps (0 recoveries)"), report.out());
    String html = Files.readString(dir.resolve("run/report/report.html"));
    assertEquals(4, html.split("data:image/png;base64,", -1).length - 1, "four charts embedded");
    for (String stage : List.of("ctx-256", "ctx-512", "ctx-1k", "chat-1k")) {
      assertTrue(html.contains(">" + stage + "<"), stage + " in the stage table");
    }
    java.awt.image.BufferedImage loss = javax.imageio.ImageIO.read(dir.resolve("run/report/loss.png").toFile());
    assertEquals(960, loss.getWidth());
  }

  @Test
  void importLogitsAndTrainInSeparateJvms(@TempDir Path dir) throws Exception {
    Path stories = ROOT.resolve("model/src/test/resources/stories260K");
    Run imp = launch(dir, "import", "--format", "llama2c", stories.resolve("stories260K.bin").toString(), "--out", "ck");
    assertEquals(0, imp.code(), imp.err());
    Run logits = launch(dir, "logits", "--checkpoint", "ck", "--tokens", "1 100 200 300");
    assertEquals(0, logits.code(), logits.err());
    String[] got = logits.out().strip().split("\n");
    List<String> ref = Files.readAllLines(stories.resolve("logits_after_prompt_a.txt"));
    double max = 0;
    for (int i = 0; i < 512; i++) {
      max = Math.max(max, Math.abs(Double.parseDouble(got[i]) - Double.parseDouble(ref.get(i))));
    }
    assertTrue(max <= 1e-4, "max |logit - reference| " + max);

    Run train = launch(dir, "train", "--steps", "3", "--seq-len", "64", "--batch-size", "2", "--run-dir", "run", "--progress", "plain");
    assertEquals(0, train.code(), train.err());
    assertTrue(train.err().contains("step 3/3"), train.err());
    assertEquals(3, Files.readAllLines(dir.resolve("run/metrics.jsonl")).size());

    Run bad = launch(dir, "logits", "--checkpoint", "nowhere", "--tokens", "1");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("nowhere"), bad.err());
  }
}

package io.worldring.ops.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.SplitMix64;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Starts a cluster of `worldring node` processes on 127.0.0.1, kills (SIGKILL) and restarts random nodes for
 * a bounded time, stops the cluster, and checks what the run directory says: every committed step in the
 * ledger once, no sample twice, and how long each kill took to recover (kill to the next committed step).
 */
public final class ChaosRun {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param launcher the worldring launcher script
   * @param dir working directory (the run directory and node logs go here)
   * @param nodes cluster size (3: keep-majority survives one loss at a time)
   * @param basePort node i listens on basePort + i
   * @param seconds how long to kill and restart nodes
   * @param killEverySeconds mean pause between kills (the pause is uniform in [0.5, 1.5] times this)
   * @param downSeconds how long a killed node stays down before it is restarted
   * @param seed chooses the victims and pauses
   * @param training training flags every node gets
   */
  public record Settings(Path launcher, Path dir, int nodes, int basePort, int seconds, double killEverySeconds, double downSeconds,
      long seed, List<String> training) {}

  private final Settings s;
  private final Process[] processes;
  private final List<Long> kills = new ArrayList<>();
  private final PrintStreamLog log;

  /** Where progress lines go. */
  public interface PrintStreamLog {
    void line(String message);
  }

  public ChaosRun(Settings settings, PrintStreamLog log) {
    this.s = settings;
    this.processes = new Process[settings.nodes()];
    this.log = log;
  }

  public ObjectNode run() throws IOException, InterruptedException {
    Files.createDirectories(s.dir());
    Path runDir = s.dir().resolve("run");
    try {
      for (int i = 0; i < s.nodes(); i++) {
        start(i);
        Thread.sleep(i == 0 ? 1500 : 200); // the first seed forms the cluster; the rest join it
      }
      awaitSteps(runDir, 3, 240);
      SplitMix64 rng = new SplitMix64(s.seed());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(s.seconds());
      while (System.nanoTime() < deadline) {
        Thread.sleep((long) (1000 * s.killEverySeconds() * (0.5 + rng.nextDouble())));
        if (System.nanoTime() >= deadline) {
          break;
        }
        int victim = rng.nextInt(s.nodes());
        kills.add(System.currentTimeMillis());
        processes[victim].destroyForcibly(); // SIGKILL
        processes[victim].waitFor(10, TimeUnit.SECONDS);
        log.line("killed node " + victim + " at step " + lastStep(runDir));
        Thread.sleep((long) (1000 * s.downSeconds()));
        start(victim);
        log.line("restarted node " + victim);
      }
      // Let the cluster show it recovered from the last kill, then stop it.
      int target = lastStep(runDir) + 5;
      awaitSteps(runDir, target, 180);
    } finally {
      for (Process p : processes) {
        if (p != null) {
          p.destroy();
        }
      }
      for (Process p : processes) {
        if (p != null && !p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
    return report(runDir);
  }

  private void start(int i) throws IOException {
    List<String> seeds = new ArrayList<>();
    for (int k = 0; k < s.nodes(); k++) {
      seeds.add("127.0.0.1:" + (s.basePort() + k));
    }
    List<String> cmd = new ArrayList<>(List.of(s.launcher().toString(), "node", "--seed", String.join(",", seeds), "--port",
        Integer.toString(s.basePort() + i), "--run-dir", "run", "--progress", "plain"));
    cmd.addAll(s.training());
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(s.dir().toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(s.dir().resolve("node-" + i + ".log").toFile()));
    pb.environment().putIfAbsent("WORLDRING_HEAP", "768m");
    pb.environment().putIfAbsent("WORLDRING_OFFHEAP", "1g");
    pb.environment().putIfAbsent("OMP_NUM_THREADS", "1");
    pb.environment().putIfAbsent("WORLDRING_DEVICE_THREADS", "1");
    processes[i] = pb.start();
  }

  private static List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    for (String l : Files.readAllLines(file)) {
      try {
        out.add(JSON.readTree(l));
      } catch (IOException e) {
        // a line being written
      }
    }
    return out;
  }

  private static int lastStep(Path runDir) throws IOException {
    List<JsonNode> m = lines(runDir.resolve("metrics.jsonl"));
    return m.isEmpty() ? 0 : m.get(m.size() - 1).get("step").asInt();
  }

  private void awaitSteps(Path runDir, int steps, int seconds) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (lastStep(runDir) < steps) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the cluster did not reach step " + steps + " within " + seconds + " s (at step "
            + lastStep(runDir) + "); see the node logs in " + s.dir());
      }
      Thread.sleep(250);
    }
  }

  private ObjectNode report(Path runDir) throws IOException {
    List<JsonNode> metrics = lines(runDir.resolve("metrics.jsonl"));
    List<JsonNode> ledger = lines(runDir.resolve("ledger.jsonl"));
    long[] commits = metrics.stream().mapToLong(n -> Instant.parse(n.get("time").asText()).toEpochMilli()).toArray();
    List<Double> recoveries = new ArrayList<>();
    for (long k : kills) {
      for (long c : commits) {
        if (c > k) {
          recoveries.add((c - k) / 1000.0);
          break;
        }
      }
    }
    double[] r = recoveries.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int lastStep = ledger.isEmpty() ? 0 : ledger.get(ledger.size() - 1).get("step").asInt();
    Set<Long> steps = new HashSet<>();
    Set<String> samples = new HashSet<>();
    long duplicates = 0;
    for (JsonNode e : ledger) {
      steps.add(e.get("step").asLong());
      for (int i = 0; i < e.get("samples").asInt(); i++) {
        if (!samples.add(e.get("stage").asText() + ":" + (e.get("first_sample").asLong() + i))) {
          duplicates++;
        }
      }
    }
    long lost = 0;
    for (long st = 1; st <= lastStep; st++) {
      lost += steps.contains(st) ? 0 : 1;
    }
    // Within a stage each step must start where the previous one ended: a gap is a lost batch.
    java.util.Map<String, Long> next = new java.util.HashMap<>();
    for (JsonNode e : ledger) {
      long expected = next.getOrDefault(e.get("stage").asText(), 0L);
      if (e.get("first_sample").asLong() > expected) {
        lost++;
      }
      next.put(e.get("stage").asText(), e.get("first_sample").asLong() + e.get("samples").asLong());
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("nodes", s.nodes());
    out.put("chaos_seconds", s.seconds());
    out.put("kills", kills.size());
    out.put("recoveries", r.length);
    out.put("median recovery seconds", r.length == 0 ? Double.NaN : median(r));
    out.put("max_recovery_seconds", r.length == 0 ? Double.NaN : r[r.length - 1]);
    out.put("committed_steps", lastStep);
    out.put("lost steps", lost); // a ledger line written twice shows up as duplicate samples
    out.put("duplicate samples", duplicates);
    JsonNode last = metrics.isEmpty() ? null : metrics.get(metrics.size() - 1);
    out.put("failures_total", last == null ? 0 : last.get("failures_total").asLong());
    out.put("membership_changes_total", last == null ? 0 : last.get("membership_changes_total").asLong());
    out.put("recovery_seconds", Arrays.toString(r));
    out.put("run_dir", runDir.toString());
    return out;
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}

package io.worldring.ops;

import static io.worldring.ops.ClusterIT.awaitMetrics;
import static io.worldring.ops.ClusterIT.concat;
import static io.worldring.ops.ClusterIT.freePort;
import static io.worldring.ops.ClusterIT.metrics;
import static io.worldring.ops.ClusterIT.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pauses of a whole node JVM (SIGSTOP, a stand-in for a long GC or safepoint pause) in a cluster of three
 * `worldring node` processes on 127.0.0.1, one device each. A pause below the failure detector's
 * acceptable-heartbeat-pause (3 s) only delays a step: no failure, no ring re-formation. A pause well above
 * it gets the node downed by the Split Brain Resolver; the ring continues without it, and the node, once
 * woken (SIGCONT), exits instead of feeding stale steps or blocks into the new ring. Either way the ledger
 * holds every sample exactly once and the metrics log's steps strictly increase.
 */
class PausesIT {
  static final String[] RUN = {"--steps", "100000", "--seq-len", "192", "--batch-size", "2", "--lr", "0.002",
      "--warmup-steps", "2", "--checkpoint-every", "1000", "--progress", "plain", "--min-devices", "2"};

  @Test
  void aShortPauseIsWaitedOutAndALongOneCostsOnlyThePausedNode(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
    System.out.println("node logs in " + dir + " (kept if the test fails)");
    Path run = dir.resolve("pause-run");
    long committed;
    List<Process> nodes = new ArrayList<>();
    try {
      startCluster(dir, nodes);
      Process paused = nodes.get(1);

      // A pause below acceptable-heartbeat-pause: the ring waits for the node and keeps all three devices.
      JsonNode before = last(metrics(run));
      signal(paused, "STOP");
      Thread.sleep(1500);
      signal(paused, "CONT");
      long shortStep = before.get("step").asLong();
      awaitMetrics(run, m -> last(m).get("step").asLong() >= shortStep + 4, 120, "4 steps after a 1.5 s pause");
      for (JsonNode n : metrics(run)) {
        if (n.get("step").asLong() > shortStep) {
          assertEquals(3, n.get("devices").asInt(), "a 1.5 s pause must not re-form the ring: " + n);
          assertEquals(1, n.get("attempts").asInt(), "a 1.5 s pause must not fail a step: " + n);
          assertEquals(before.get("failures_total").asLong(), n.get("failures_total").asLong(), "failures after a 1.5 s pause: " + n);
          assertEquals(before.get("membership_changes_total").asLong(), n.get("membership_changes_total").asLong(),
              "ring changes after a 1.5 s pause: " + n);
        }
      }
      System.out.println("1.5 s pause: steps " + (shortStep + 1) + ".." + last(metrics(run)).get("step").asLong()
          + " kept 3 devices, 1 attempt each");

      committed = pauseBeyondTheFailureDetector(run, nodes, 1);
      assertTrue(last(metrics(run)).get("failures_total").asLong() > before.get("failures_total").asLong(),
          "the long pause was counted as a failure");
    } finally {
      stop(nodes);
    }
    assertStepsIncrease(metrics(run));
    assertLedgerExactlyOnce(run, committed);
  }

  /**
   * The node hosting the supervisor (the seed, the oldest member) frozen: the supervisor moves to the
   * majority and continues from the replicas; the old one, woken, must not log a stale step.
   */
  @Test
  void aLongPauseOfTheSupervisorsNodeMovesTheSupervisor(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
    System.out.println("node logs in " + dir + " (kept if the test fails)");
    Path run = dir.resolve("pause-run");
    long committed;
    List<Process> nodes = new ArrayList<>();
    try {
      startCluster(dir, nodes);
      committed = pauseBeyondTheFailureDetector(run, nodes, 0);
    } finally {
      stop(nodes);
    }
    assertStepsIncrease(metrics(run));
    assertLedgerExactlyOnce(run, committed);
  }

  /** Starts a seed and two workers (one device each) on a long run, and waits for 3 steps on 3 devices. */
  private static void startCluster(Path dir, List<Process> nodes) throws Exception {
    int port = freePort();
    String seed = "127.0.0.1:" + port;
    nodes.add(start(dir, "seed", concat(new String[] {"node", "--seed", "self", "--port", Integer.toString(port), "--run-dir",
        "pause-run"}, RUN)));
    nodes.add(start(dir, "worker1", concat(new String[] {"node", "--seed", seed, "--run-dir", "pause-run"}, RUN)));
    nodes.add(start(dir, "worker2", concat(new String[] {"node", "--seed", seed, "--run-dir", "pause-run"}, RUN)));
    awaitMetrics(dir.resolve("pause-run"), m -> m.stream().filter(n -> n.get("devices").asInt() == 3).count() >= 3, 240,
        "3 steps ran on 3 devices");
  }

  /**
   * Freezes node {@code index} for at least 15 s, far above acceptable-heartbeat-pause: the SBR downs it and
   * the ring continues on the other two devices; woken, the node exits (downed) and takes no part again.
   * Returns the last step seen committed.
   */
  private static long pauseBeyondTheFailureDetector(Path run, List<Process> nodes, int index) throws Exception {
    Process paused = nodes.get(index);
    long stoppedAt = System.currentTimeMillis();
    signal(paused, "STOP");
    awaitMetrics(run, m -> firstOnTwoAfter(m, stoppedAt) != null, 120, "a step committed on 2 devices while the node was stopped");
    JsonNode firstOnTwo = firstOnTwoAfter(metrics(run), stoppedAt);
    double recovery = (Instant.parse(firstOnTwo.get("time").asText()).toEpochMilli() - stoppedAt) / 1000.0;
    System.out.printf("SIGSTOP of node %d -> next committed step without it: %.1f s (step %d, %d attempts)%n", index, recovery,
        firstOnTwo.get("step").asLong(), firstOnTwo.get("attempts").asInt());
    long stillStopped = stoppedAt + 15_000 - System.currentTimeMillis();
    if (stillStopped > 0) {
      Thread.sleep(stillStopped); // at least 15 s stopped, whatever the recovery took
    }
    long wokenAt = System.currentTimeMillis();
    long stepAtWake = last(metrics(run)).get("step").asLong();
    signal(paused, "CONT");
    assertTrue(paused.waitFor(60, TimeUnit.SECONDS), "the downed node did not exit within 60 s of waking");
    System.out.printf("woken node %d exited %.1f s after SIGCONT, code %d%n", index, (System.currentTimeMillis() - wokenAt) / 1000.0,
        paused.exitValue());
    assertEquals(WorldringCli.EXIT_REMOVED, paused.exitValue(), "the woken node exits because the cluster downed it");
    awaitMetrics(run, m -> last(m).get("step").asLong() >= stepAtWake + 3, 120, "3 more steps after the node woke");
    for (JsonNode n : metrics(run)) {
      if (n.get("step").asLong() > stepAtWake) {
        assertEquals(2, n.get("devices").asInt(), "the woken node must not take part again: " + n);
      }
    }
    for (int i = 0; i < nodes.size(); i++) {
      assertTrue(i == index || nodes.get(i).isAlive(), "node " + i + " of the majority kept running");
    }
    return last(metrics(run)).get("step").asLong();
  }

  private static void stop(List<Process> nodes) throws Exception {
    for (Process p : nodes) {
      if (p.isAlive()) {
        signal(p, "CONT");
      }
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  static void signal(Process p, String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal + " " + p.pid());
  }

  static JsonNode last(List<JsonNode> m) {
    return m.isEmpty() ? JSON_EMPTY : m.get(m.size() - 1);
  }

  private static final JsonNode JSON_EMPTY = ClusterIT.JSON.createObjectNode().put("step", 0L).put("devices", 0);

  static JsonNode firstOnTwoAfter(List<JsonNode> m, long millis) {
    return m.stream().filter(n -> n.get("devices").asInt() == 2 && Instant.parse(n.get("time").asText()).toEpochMilli() > millis)
        .findFirst().orElse(null);
  }

  static void assertStepsIncrease(List<JsonNode> m) {
    for (int i = 1; i < m.size(); i++) {
      assertTrue(m.get(i).get("step").asLong() > m.get(i - 1).get("step").asLong(), "metrics.jsonl steps at line " + (i + 1) + ": "
          + m.get(i - 1).get("step") + " then " + m.get(i).get("step"));
    }
  }

  /**
   * The ledger holds at least the {@code committed} steps the metrics log showed, every line is the next step,
   * and the samples drawn form one gap-free range with none twice.
   */
  static void assertLedgerExactlyOnce(Path run, long committed) throws IOException {
    List<JsonNode> ledger = new ArrayList<>();
    for (String l : Files.readAllLines(run.resolve("ledger.jsonl"))) {
      try {
        ledger.add(ClusterIT.JSON.readTree(l));
      } catch (IOException e) {
        // the line being written when the nodes were killed
      }
    }
    assertTrue(ledger.size() >= committed, "ledger lines: " + ledger.size() + ", steps committed: " + committed);
    Set<Long> samples = new HashSet<>();
    long lowest = Long.MAX_VALUE;
    long highest = Long.MIN_VALUE;
    for (int i = 0; i < ledger.size(); i++) {
      JsonNode e = ledger.get(i);
      assertEquals(i + 1, e.get("step").asLong(), "ledger line " + (i + 1));
      for (int k = 0; k < e.get("samples").asInt(); k++) {
        long s = e.get("first_sample").asLong() + k;
        assertTrue(samples.add(s), "sample " + s + " used twice, again at step " + (i + 1));
        lowest = Math.min(lowest, s);
        highest = Math.max(highest, s);
      }
    }
    assertEquals(highest - lowest + 1, samples.size(), "samples skipped between " + lowest + " and " + highest);
  }
}

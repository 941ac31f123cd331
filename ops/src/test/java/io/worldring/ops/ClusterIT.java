package io.worldring.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real cluster of `worldring node` JVMs on 127.0.0.1 (one device each), over Artery TCP with Kryo: three
 * nodes train like a ring of three device actors in one JVM (<= 1e-5); and a node killed with SIGKILL
 * mid-step costs only that step, while a node that joins later takes part.
 */
class ClusterIT {
  static final Path ROOT = LauncherIT.ROOT;
  static final ObjectMapper JSON = new ObjectMapper();
  static final String[] TRAINING = {"--steps", "10", "--seq-len", "48", "--batch-size", "2", "--lr", "0.003",
      "--warmup-steps", "2", "--checkpoint-every", "5", "--progress", "plain", "--min-devices", "3"};

  static Process start(Path dir, String name, String... args) throws IOException {
    return start(dir, name, java.util.Map.of(), args);
  }

  /** As {@link #start(Path, String, String...)}, with more environment variables for the node. */
  static Process start(Path dir, String name, java.util.Map<String, String> env, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ROOT.resolve("worldring").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
    pb.environment().put("WORLDRING_HEAP", "768m");
    pb.environment().put("WORLDRING_OFFHEAP", "1g");
    pb.environment().put("OMP_NUM_THREADS", "1");
    pb.environment().put("WORLDRING_DEVICE_THREADS", "1");
    pb.environment().putAll(env);
    return pb.start();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static double[] losses(Path run) throws IOException {
    List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
    double[] out = new double[lines.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = JSON.readTree(lines.get(i)).get("loss").asDouble();
    }
    return out;
  }

  static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void threeNodesTrainLikeThreeDevicesInOneJvm(@TempDir Path dir) throws Exception {
    int port = freePort();
    List<Process> nodes = new ArrayList<>();
    try {
      nodes.add(start(dir, "seed", concat(new String[] {"node", "--seed", "self", "--port", Integer.toString(port), "--devices", "1",
          "--run-dir", "cluster-run"}, TRAINING)));
      nodes.add(start(dir, "worker1", concat(new String[] {"node", "--seed", "127.0.0.1:" + port, "--devices", "1", "--run-dir",
          "cluster-run"}, TRAINING)));
      nodes.add(start(dir, "worker2", concat(new String[] {"node", "--seed", "127.0.0.1:" + port, "--devices", "1", "--run-dir",
          "cluster-run"}, TRAINING)));
      for (int i = 0; i < nodes.size(); i++) {
        Process p = nodes.get(i);
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "node " + i + " did not finish; stderr:\n" + tail(dir, i));
        assertEquals(0, p.exitValue(), "node " + i + " exit code; stderr:\n" + tail(dir, i));
      }
    } finally {
      nodes.forEach(Process::destroyForcibly);
    }
    Process local = start(dir, "local", concat(new String[] {"train", "--devices", "3", "--run-dir", "local-run"}, TRAINING));
    try {
      assertTrue(local.waitFor(240, TimeUnit.SECONDS), "the in-JVM run did not finish");
      assertEquals(0, local.exitValue(), Files.readString(dir.resolve("local.err")));
    } finally {
      local.destroyForcibly();
    }
    double[] cluster = losses(dir.resolve("cluster-run"));
    double[] inJvm = losses(dir.resolve("local-run"));
    assertEquals(10, cluster.length);
    double max = 0;
    for (int i = 0; i < 10; i++) {
      max = Math.max(max, Math.abs(cluster[i] - inJvm[i]));
    }
    assertTrue(max <= 1e-5, "max |loss difference| " + max + "\ncluster " + java.util.Arrays.toString(cluster)
        + "\nin-JVM  " + java.util.Arrays.toString(inJvm));
    assertTrue(Files.isDirectory(dir.resolve("cluster-run/checkpoints/step-00000010")), "the ring wrote the final checkpoint");
  }

  static final String[] LONG_RUN = {"--steps", "200", "--seq-len", "384", "--batch-size", "2", "--lr", "0.002",
      "--warmup-steps", "2", "--checkpoint-every", "10", "--progress", "plain", "--min-devices", "2"};

  static List<JsonNode> metrics(Path run) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    if (Files.exists(run.resolve("metrics.jsonl"))) {
      for (String l : Files.readAllLines(run.resolve("metrics.jsonl"))) {
        try {
          out.add(JSON.readTree(l));
        } catch (IOException e) {
          // a line being written
        }
      }
    }
    return out;
  }

  static void awaitMetrics(Path run, java.util.function.Predicate<List<JsonNode>> condition, int seconds, String what) throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (condition.test(metrics(run))) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("timed out waiting until " + what + "; metrics: " + metrics(run).size() + " lines");
  }

  @Test
  void aKilledNodeCostsOneStepAndAJoiningNodeTakesPart(@TempDir Path dir) throws Exception {
    int port = freePort();
    Path run = dir.resolve("chaos-run");
    String seed = "127.0.0.1:" + port;
    List<Process> nodes = new ArrayList<>();
    try {
      nodes.add(start(dir, "seed", concat(new String[] {"node", "--seed", "self", "--port", Integer.toString(port), "--run-dir",
          "chaos-run"}, LONG_RUN)));
      nodes.add(start(dir, "worker1", concat(new String[] {"node", "--seed", seed, "--run-dir", "chaos-run"}, LONG_RUN)));
      nodes.add(start(dir, "worker2", concat(new String[] {"node", "--seed", seed, "--run-dir", "chaos-run"}, LONG_RUN)));
      awaitMetrics(run, m -> m.stream().filter(n -> n.get("devices").asInt() == 3).count() >= 3, 180, "3 steps ran on 3 devices");

      long killedAt = System.currentTimeMillis();
      nodes.get(1).destroyForcibly(); // SIGKILL, mid-step: steps run back to back
      assertTrue(nodes.get(1).waitFor(10, TimeUnit.SECONDS));
      assertEquals(137, nodes.get(1).exitValue(), "killed by SIGKILL");
      awaitMetrics(run, m -> !m.isEmpty() && m.get(m.size() - 1).get("devices").asInt() == 2, 120, "the ring re-formed with 2 devices");
      List<JsonNode> afterKill = metrics(run);
      JsonNode firstOnTwo = afterKill.stream().filter(n -> n.get("devices").asInt() == 2).findFirst().orElseThrow();
      double recovery = (java.time.Instant.parse(firstOnTwo.get("time").asText()).toEpochMilli() - killedAt) / 1000.0;
      System.out.printf("node kill -> next committed step: %.1f s (step %d, %d attempts)%n", recovery, firstOnTwo.get("step").asLong(),
          firstOnTwo.get("attempts").asInt());

      nodes.add(start(dir, "worker3", concat(new String[] {"node", "--seed", seed, "--run-dir", "chaos-run"}, LONG_RUN)));
      awaitMetrics(run, m -> {
        boolean sawTwo = false;
        for (JsonNode n : m) {
          sawTwo |= n.get("devices").asInt() == 2;
          if (sawTwo && n.get("devices").asInt() == 3) {
            return true;
          }
        }
        return false;
      }, 180, "the joining node took part (3 devices again)");

      for (int i : new int[] {0, 2, 3}) {
        Process p = nodes.get(i);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "node " + i + " did not finish");
        assertEquals(0, p.exitValue(), "node " + i + " exit code");
      }
    } finally {
      nodes.forEach(Process::destroyForcibly);
    }
    List<JsonNode> m = metrics(run);
    assertEquals(200, m.size(), "every step committed once");
    assertTrue(m.get(m.size() - 1).get("failures_total").asLong() >= 1, "the kill was counted as a failure");
    assertTrue(m.get(m.size() - 1).get("membership_changes_total").asLong() >= 1, "the join was counted as a planned change");
    List<String> ledger = Files.readAllLines(run.resolve("ledger.jsonl"));
    assertEquals(200, ledger.size());
    java.util.Set<Long> samples = new java.util.HashSet<>();
    for (int i = 0; i < ledger.size(); i++) {
      JsonNode e = JSON.readTree(ledger.get(i));
      assertEquals(i + 1, e.get("step").asLong());
      for (int k = 0; k < e.get("samples").asInt(); k++) {
        assertTrue(samples.add(e.get("first_sample").asLong() + k), "sample used twice at step " + (i + 1));
      }
    }
    assertEquals(400, samples.size(), "no sample skipped");
  }

  private static String tail(Path dir, int node) {
    String name = node == 0 ? "seed" : "worker" + node;
    try {
      String err = Files.readString(dir.resolve(name + ".err"));
      return err.length() > 4000 ? err.substring(err.length() - 4000) : err;
    } catch (IOException e) {
      return "(no log)";
    }
  }
}

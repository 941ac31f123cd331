package io.worldring.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * A real cluster: three `worldring node` JVMs on 127.0.0.1 (one device each) train 10 steps over Artery
 * TCP with Kryo, and the loss trajectory equals a ring of three device actors in one JVM (<= 1e-5).
 */
class ClusterIT {
  static final Path ROOT = LauncherIT.ROOT;
  static final ObjectMapper JSON = new ObjectMapper();
  static final String[] TRAINING = {"--steps", "10", "--seq-len", "48", "--batch-size", "2", "--lr", "0.003",
      "--warmup-steps", "2", "--checkpoint-every", "5", "--progress", "plain"};

  static Process start(Path dir, String name, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ROOT.resolve("worldring").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
    pb.environment().put("WORLDRING_HEAP", "768m");
    pb.environment().put("WORLDRING_OFFHEAP", "1g");
    pb.environment().put("OMP_NUM_THREADS", "1");
    pb.environment().put("WORLDRING_DEVICE_THREADS", "1");
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
          "--expect-devices", "3", "--run-dir", "cluster-run"}, TRAINING)));
      nodes.add(start(dir, "worker1", "node", "--seed", "127.0.0.1:" + port, "--devices", "1"));
      nodes.add(start(dir, "worker2", "node", "--seed", "127.0.0.1:" + port, "--devices", "1"));
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
    assertTrue(Files.isDirectory(dir.resolve("cluster-run/checkpoints/step-00000010")), "the driver's node wrote the checkpoint");
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

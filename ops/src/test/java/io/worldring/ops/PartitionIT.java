package io.worldring.ops;

import static io.worldring.ops.ClusterIT.awaitMetrics;
import static io.worldring.ops.ClusterIT.concat;
import static io.worldring.ops.ClusterIT.freePort;
import static io.worldring.ops.ClusterIT.metrics;
import static io.worldring.ops.ClusterIT.start;
import static io.worldring.ops.PausesIT.assertLedgerExactlyOnce;
import static io.worldring.ops.PausesIT.assertStepsIncrease;
import static io.worldring.ops.PausesIT.firstOnTwoAfter;
import static io.worldring.ops.PausesIT.last;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network partition in a cluster of three `worldring node` processes on 127.0.0.1: each node advertises
 * its Artery canonical port at a {@link NetworkPartition} forwarder in front of its bind port, and the test
 * cuts the node that hosts the training supervisor off from the other two. The majority downs it and trains
 * on; the minority, supervisor and all, commits nothing more and exits (the Split Brain Resolver downs it on
 * its side too). No split-brain training: the ledger holds every sample exactly once.
 */
class PartitionIT {
  @Test
  void theMinorityStopsAndTheMajorityTrainsOn(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
    System.out.println("node logs in " + dir + " (kept if the test fails)");
    int[] canonical = {freePort(), freePort(), freePort()};
    int[] bind = {freePort(), freePort(), freePort()};
    Path run = dir.resolve("partition-run");
    String seed = "127.0.0.1:" + canonical[0];
    String[] names = {"seed", "worker1", "worker2"};
    long committed = 0;
    Process[] nodes = new Process[3];
    try (NetworkPartition network = new NetworkPartition()) {
      for (int i = 0; i < 3; i++) {
        int n = i;
        network.forward(canonical[i], bind[i], () -> nodes[n] == null ? -1 : nodes[n].pid());
      }
      for (int i = 0; i < 3; i++) {
        String[] node = {"node", "--seed", i == 0 ? "self" : seed, "--port", Integer.toString(canonical[i]), "--run-dir", "partition-run"};
        nodes[i] = start(dir, names[i], Map.of("WORLDRING_JAVA_OPTS", "-Dpekko.remote.artery.bind.port=" + bind[i]),
            concat(node, PausesIT.RUN));
      }
      awaitMetrics(run, m -> m.stream().filter(n -> n.get("devices").asInt() == 3).count() >= 3, 240, "3 steps ran on 3 devices");
      assertTrue(hostsSupervisor(dir, "seed"), "the seed hosts the supervisor");

      long cutAt = System.currentTimeMillis();
      network.isolate(nodes[0].pid());
      awaitMetrics(run, m -> firstOnTwoAfter(m, cutAt) != null, 120, "the majority committed a step on its 2 devices");
      JsonNode firstOnTwo = firstOnTwoAfter(metrics(run), cutAt);
      System.out.printf("partition -> next committed step on the majority: %.1f s (step %d, %d attempts)%n",
          (Instant.parse(firstOnTwo.get("time").asText()).toEpochMilli() - cutAt) / 1000.0, firstOnTwo.get("step").asLong(),
          firstOnTwo.get("attempts").asInt());

      assertTrue(nodes[0].waitFor(90, TimeUnit.SECONDS), "the isolated node did not exit within 90 s of the cut");
      System.out.printf("isolated node exited %.1f s after the cut, code %d%n", (System.currentTimeMillis() - cutAt) / 1000.0,
          nodes[0].exitValue());
      assertEquals(WorldringCli.EXIT_REMOVED, nodes[0].exitValue(), "the isolated node exits because the cluster downed it");
      long stepAtExit = last(metrics(run)).get("step").asLong();
      awaitMetrics(run, l -> last(l).get("step").asLong() >= stepAtExit + 3, 120, "3 more steps on the majority");
      for (JsonNode n : metrics(run)) {
        if (n.get("step").asLong() >= firstOnTwo.get("step").asLong()) {
          assertEquals(2, n.get("devices").asInt(), "once the majority trains, only its 2 devices commit steps: " + n);
        }
      }
      assertTrue(nodes[1].isAlive() && nodes[2].isAlive(), "the majority kept running");
      committed = last(metrics(run)).get("step").asLong();
      assertTrue(hostsSupervisor(dir, "worker1") || hostsSupervisor(dir, "worker2"), "the supervisor moved to the majority's oldest node");
    } finally {
      for (Process p : nodes) {
        if (p != null) {
          p.destroyForcibly();
          p.waitFor(30, TimeUnit.SECONDS);
        }
      }
    }
    assertStepsIncrease(metrics(run));
    assertLedgerExactlyOnce(run, committed);
  }

  /** Whether the node's progress output shows the supervisor starting the run's stage there. */
  private static boolean hostsSupervisor(Path dir, String name) throws java.io.IOException {
    return Files.readString(dir.resolve(name + ".err")).contains("stage 1 ");
  }
}

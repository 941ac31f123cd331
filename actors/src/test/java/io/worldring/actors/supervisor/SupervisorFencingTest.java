package io.worldring.actors.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.worldring.actors.cluster.ClusterNode;
import io.worldring.actors.device.DeviceFaults;
import io.worldring.actors.metrics.NodeMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A supervisor that was replaced while it could not run (its node paused or cut off; a successor on the
 * majority claimed the run directory) logs nothing more: the step it had in flight, once its devices report
 * it, finds another owner in supervisor.owner, and the supervisor stops without a ledger or metrics line.
 */
class SupervisorFencingTest {
  @Test
  void aReplacedSupervisorLogsNoStaleStep(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("fenced");
    RunDirectory dir = new RunDirectory(run);
    AtomicBoolean claimed = new AtomicBoolean();
    DeviceFaults successorClaims = (device, step, phase) -> {
      if (step == 3 && device == 0 && phase == DeviceFaults.Phase.FORWARD_HOP && claimed.compareAndSet(false, true)) {
        assertTrue(dir.owns(dir.ownerDescription()), "the running supervisor owns the run");
        dir.claim("a successor on the majority");
      }
    };
    RunPlan plan = SupervisedRuns.plan(run, SupervisedRuns.twoStages(), 100, Long.MAX_VALUE);
    ClusterNode node = ClusterNode.start(new ClusterNode.Settings("127.0.0.1", 0, List.of(), 2), ConfigFactory.empty(), successorClaims);
    try {
      SupervisedRuns.Recorder r = new SupervisedRuns.Recorder();
      TrainingSupervisor.singleton(node.system(), plan, r, true);
      NodeMetrics metrics = NodeMetrics.get(node.system());
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (!(claimed.get() && metrics.supervisorHere.get() == 0) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(claimed.get(), "step 4 started");
      assertEquals(0, metrics.supervisorHere.get(), "the replaced supervisor stopped");
      assertEquals(3, dir.ledgerEntries().size(), "ledger lines: steps 1-3, not the step in flight when the successor claimed the run");
      assertEquals(3, Files.readAllLines(dir.metrics()).size(), "metrics lines");
      assertEquals(3, r.steps.size(), "steps reported");
      assertEquals("a successor on the majority", Files.readString(dir.owner()));
    } finally {
      node.close();
    }
  }
}

package io.worldring.actors.supervisor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.worldring.actors.cluster.ClusterNode;
import io.worldring.actors.device.DeviceFaults;
import io.worldring.model.io.Checkpoint;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole-cluster crash mid-stage, then a restart from the run directory: the run continues from the newest
 * valid checkpoint (a corrupted newer one is reported and skipped) and repeats the uninterrupted run's loss
 * trajectory exactly; the ledger and the metrics log describe exactly the steps the final weights saw.
 */
class SupervisorResumeTest {
  @Test
  void crashThenRestartRepeatsTheTrajectory(@TempDir Path tmp) throws Exception {
    Path clean = SupervisedRuns.reference(tmp);
    Path run = tmp.resolve("crashed");
    RunPlan plan = SupervisedRuns.plan(run, SupervisedRuns.twoStages(), 2, Long.MAX_VALUE);

    // Crash: step 6 cannot complete (a device keeps failing in it) and the whole node (all 4 devices and
    // the supervisor) goes away mid-step.
    CompletableFuture<Void> inStepSix = new CompletableFuture<>();
    DeviceFaults stuck = (device, step, phase) -> {
      if (step == 5 && device == 0) {
        inStepSix.complete(null);
        throw new IllegalStateException("step 6 cannot complete");
      }
    };
    SupervisedRuns.Recorder first = new SupervisedRuns.Recorder();
    ClusterNode node = ClusterNode.start(new ClusterNode.Settings("127.0.0.1", 0, List.of(), 4), ConfigFactory.empty(), stuck);
    TrainingSupervisor.singleton(node.system(), plan, first, true);
    inStepSix.get(2, TimeUnit.MINUTES);
    node.system().terminate();
    node.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertTrue(Checkpoint.isCheckpoint(run.resolve("checkpoints").resolve(Checkpoint.stepDirName(4))), "step 4 was checkpointed");
    assertEquals(5, first.steps.size(), "steps 1-5 committed before the crash");

    // The newest checkpoint is damaged on disk: one flipped byte in its weights.
    Path newest = run.resolve("checkpoints").resolve(Checkpoint.stepDirName(4)).resolve(Checkpoint.WEIGHTS);
    try (RandomAccessFile f = new RandomAccessFile(newest.toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0x40);
    }

    SupervisedRuns.Recorder second = SupervisedRuns.run(plan, 4, DeviceFaults.NONE);
    assertTrue(second.statuses.stream().anyMatch(s -> s.contains(Checkpoint.WEIGHTS) && s.contains("corrupt")),
        "the corrupt checkpoint is reported: " + second.statuses);
    assertTrue(second.statuses.stream().anyMatch(s -> s.contains("step-00000002")), "resumed from step 2: " + second.statuses);
    assertEquals(3, second.steps.get(0).step(), "the restarted run continues with step 3");

    double[] expected = SupervisedRuns.losses(clean);
    double[] actual = SupervisedRuns.losses(run);
    assertEquals(10, expected.length);
    assertArrayEquals(expected, actual, 0.0, "the same loss trajectory, bit for bit");
    SupervisorFaultTest.assertExactlyOnce(new RunDirectory(run).ledgerEntries(), SupervisedRuns.twoStages());
    assertEquals(SupervisorFaultTest.digests(new RunDirectory(clean).ledgerEntries()),
        SupervisorFaultTest.digests(new RunDirectory(run).ledgerEntries()));
    double diff = SupervisedRuns.finalWeights(run, 10).maxScaledDifference(SupervisedRuns.finalWeights(clean, 10)).value();
    assertEquals(0.0, diff, "final weights identical");
    assertTrue(Files.exists(run.resolve("ledger.jsonl")));
  }
}

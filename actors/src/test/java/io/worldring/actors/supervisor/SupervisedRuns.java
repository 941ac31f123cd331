package io.worldring.actors.supervisor;

import com.typesafe.config.ConfigFactory;
import io.worldring.actors.cluster.ClusterNode;
import io.worldring.actors.device.DeviceFaults;
import io.worldring.datasets.source.LossWeighting;
import io.worldring.datasets.stage.DataMix;
import io.worldring.model.ModelConfig;
import io.worldring.model.Parameters;
import io.worldring.model.io.Checkpoint;
import io.worldring.model.train.OptimizerConfig;
import io.worldring.ring.SequenceLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;

/** Small curricula run on an in-JVM cluster, for supervisor tests. */
final class SupervisedRuns {
  static final ModelConfig MODEL = new ModelConfig(32, 2, 4, 2, 48, 272, 1e-5, 10_000, 256, false);
  static final OptimizerConfig OPTIMIZER = new OptimizerConfig(3e-3, 2, "constant", 0, 0, 0.9, 0.95, 1e-8, 0.1, 1.0);

  private SupervisedRuns() {}

  static DataMix books() {
    return new DataMix("bytes", "", 0, 1, "", 0, "", 1000, 0, 0, LossWeighting.PER_EXAMPLE, "fail");
  }

  /** Two stages: 6 steps at 64 tokens, then 4 at 128 with a larger theta; 2 sequences per step. */
  static List<Stage> twoStages() {
    return List.of(new Stage("s64", 64, 10_000, 6, 0, 128, 3e-3, 2, false, "", books()),
        new Stage("s128", 128, 20_000, 4, 0, 256, 2e-3, 1, false, "", books()));
  }

  static RunPlan plan(Path dir, List<Stage> stages, int checkpointEvery, long stopAt) {
    return new RunPlan(dir.getFileName().toString(), dir, MODEL, "", 5, SequenceLayout.ZIGZAG, 16, false, OPTIMIZER, stages,
        checkpointEvery, 2, 1, 0, stopAt, Duration.ofMillis(100), Duration.ofSeconds(60), Duration.ofSeconds(120));
  }

  /** What a run reported. */
  static class Recorder implements RunListener {
    static final RunListener NONE = RunListener.NONE;

    final List<StepRecord> steps = new ArrayList<>();
    final List<String> statuses = new ArrayList<>();
    final CompletableFuture<String> finished = new CompletableFuture<>();

    @Override
    public synchronized void stepped(StepRecord record) {
      steps.add(record);
    }

    @Override
    public synchronized void status(String message) {
      statuses.add(message);
    }

    @Override
    public void finished(long step, String error) {
      finished.complete(error == null ? "" : error);
    }
  }

  private static Recorder reference;
  private static Path referenceDir;

  /** The two-stage curriculum run once without faults (4 devices, a checkpoint every 2 steps), shared by tests. */
  static synchronized Path reference(Path parent) throws Exception {
    if (reference == null) {
      referenceDir = java.nio.file.Files.createTempDirectory("worldring-reference").resolve("clean");
      reference = run(plan(referenceDir, twoStages(), 2, Long.MAX_VALUE), 4, DeviceFaults.NONE);
    }
    return referenceDir;
  }

  static synchronized Recorder referenceRecord() {
    return reference;
  }

  /** Losses of metrics.jsonl in step order. */
  static double[] losses(Path runDir) throws java.io.IOException {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    return java.nio.file.Files.readAllLines(runDir.resolve("metrics.jsonl")).stream().mapToDouble(l -> {
      try {
        return json.readTree(l).get("loss").asDouble();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).toArray();
  }

  /** Runs {@code plan} to its end on one node with {@code devices} devices; returns what was reported. */
  static Recorder run(RunPlan plan, int devices, DeviceFaults faults) throws Exception {
    Recorder r = new Recorder();
    ClusterNode node = ClusterNode.start(new ClusterNode.Settings("127.0.0.1", 0, List.of(), devices), ConfigFactory.empty(), faults);
    try {
      TrainingSupervisor.singleton(node.system(), plan, r, true);
      String error = r.finished.get(5, TimeUnit.MINUTES);
      if (!error.isEmpty()) {
        throw new AssertionError("the run failed: " + error);
      }
      node.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } finally {
      node.close();
    }
    return r;
  }

  static Parameters finalWeights(Path runDir, long step) {
    return Checkpoint.load(runDir.resolve("checkpoints").resolve(Checkpoint.stepDirName(step)), DataType.FLOAT).weights();
  }
}

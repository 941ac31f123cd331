package io.worldring.ops.train;

import com.typesafe.config.Config;
import io.worldring.actors.cluster.ClusterNode;
import io.worldring.actors.device.DeviceFaults;
import io.worldring.actors.supervisor.RunListener;
import io.worldring.actors.supervisor.RunPlan;
import io.worldring.actors.supervisor.Stage;
import io.worldring.actors.supervisor.StepRecord;
import io.worldring.actors.supervisor.TrainingSupervisor;
import io.worldring.datasets.ByteTokenizer;
import io.worldring.datasets.Tokenizers;
import io.worldring.config.HoconRecords;
import io.worldring.model.BadInputException;
import io.worldring.model.ModelConfig;
import io.worldring.model.io.Checkpoint;
import io.worldring.ring.SequenceLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A training run on this JVM's cluster node: the node contributes its devices, and hosts the run's
 * supervisor when it is the cluster's oldest member (the supervisor is a cluster singleton). The run
 * directory holds run.conf, metrics.jsonl, ledger.jsonl and checkpoints/ (see RunDirectory).
 */
public final class TrainingRun {
  /**
   * How the run ended, as seen from this node: {@code hostedEnd} when this node's supervisor ended it (then
   * {@code step} and {@code error}); {@code removed} when the cluster downed this node before that.
   */
  public record Result(boolean hostedEnd, long step, String error, boolean removed) {}

  private TrainingRun() {}

  /** The plan every node of the run derives from the same configuration. */
  public static RunPlan plan(TrainSettings s, Config config, Path runDir, long stopAt) {
    ModelConfig model;
    if (!s.initFrom().isEmpty()) {
      model = Checkpoint.readManifest(Checkpoint.resolve(Path.of(s.initFrom()))).config();
    } else {
      try {
        model = ModelConfig.preset(s.preset());
      } catch (BadInputException e) {
        String key = RunConfig.PATH + ".preset";
        throw new BadInputException(HoconRecords.where(config.getValue(key).origin(), key) + ": " + key + ": " + e.getMessage(), e);
      }
    }
    List<Stage> stages = Curricula.stages(config, s, model);
    for (Stage st : stages) {
      checkExists(st, "books", st.data().books());
      checkExists(st, "chats", st.data().chatWeight() > 0 ? st.data().chats() : "");
      checkExists(st, "qa", st.data().qaWeight() > 0 ? st.data().qa() : "");
      checkExists(st, "tokenizer", st.data().tokenizer().equals("bytes") ? "" : st.data().tokenizer());
      int vocab = st.data().tokenizer().equals("bytes") ? ByteTokenizer.VOCAB_SIZE : Tokenizers.load(st.data().tokenizer()).vocabSize();
      if (model.vocabSize() < vocab) {
        throw new BadInputException("stage '" + st.name() + "': the model's vocabulary (" + model.vocabSize()
            + ") is smaller than its tokenizer's (" + vocab + ")");
      }
    }
    String init = s.initFrom().isEmpty() ? "" : Checkpoint.resolve(Path.of(s.initFrom())).toAbsolutePath().toString();
    Path dir = runDir.toAbsolutePath().normalize();
    return new RunPlan(dir.getFileName().toString(), dir, model, init, s.seed(), SequenceLayout.parse(s.layout()), s.attentionBlock(),
        s.recompute(), s.optimizer(), stages, s.checkpointEvery(), s.keepCheckpoints(), s.minDevices(), s.maxDevices(), stopAt,
        Duration.ofMillis(s.retryDelayMs()), Duration.ofSeconds(s.formTimeoutSeconds()), Duration.ofSeconds(s.stepTimeoutSeconds()));
  }

  /** A stage's file is checked before any node starts, so a typo fails at once with the key that names it. */
  private static void checkExists(Stage st, String key, String path) {
    if (!path.isEmpty() && !java.nio.file.Files.exists(Path.of(path))) {
      throw new BadInputException(path + ": no such file or directory (stage '" + st.name() + "', data." + key + ")");
    }
  }

  /**
   * The stages whose sequence length splits over fewer than {@code devices} devices (the ring then leaves
   * some idle), as warnings; an error when a stage cannot have a ring of {@code minDevices} from them.
   */
  public static List<String> checkRingSizes(RunPlan plan, int devices) {
    List<String> warnings = new java.util.ArrayList<>();
    for (Stage st : plan.stages()) {
      int n = io.worldring.actors.supervisor.RingSelection.size(devices, st.seqLen(), plan.layout(), plan.minDevices(), plan.maxDevices());
      String rule = plan.layout() == SequenceLayout.ZIGZAG ? "zigzag needs seq-len divisible by 2n" : "contiguous needs seq-len divisible by n";
      if (n == 0) {
        throw new BadInputException("stage '" + st.name() + "': seq-len " + st.seqLen() + " does not split over a ring of at least "
            + plan.minDevices() + " of " + devices + " devices (" + rule + ")");
      }
      if (n < devices && (plan.maxDevices() == 0 || n < plan.maxDevices())) {
        warnings.add("stage '" + st.name() + "' uses " + n + " of " + devices + " devices (" + rule + ", seq-len " + st.seqLen() + ")");
      }
    }
    return warnings;
  }

  /**
   * Starts this node, offers to host the supervisor, and blocks until the node shuts down (the run ended,
   * or this node was downed).
   */
  public static Result run(RunPlan plan, ClusterNode.Settings node, Config config, RunListener listener, DeviceFaults faults) {
    return run(plan, node, config, listener, faults, 0);
  }

  /**
   * As {@link #run(RunPlan, ClusterNode.Settings, Config, RunListener, DeviceFaults)}, serving this node's
   * Prometheus metrics at {@code http://HOST:metricsPort/metrics} (0: none). A port in use is reported and the
   * node runs without the endpoint (several nodes on one host need distinct ports).
   */
  public static Result run(RunPlan plan, ClusterNode.Settings node, Config config, RunListener listener, DeviceFaults faults,
      int metricsPort) {
    AtomicReference<Result> end = new AtomicReference<>();
    RunListener recording = new RunListener() {
      @Override
      public void stageStarted(Stage stage, int index, long stageStep) {
        listener.stageStarted(stage, index, stageStep);
      }

      @Override
      public void stepped(StepRecord record) {
        listener.stepped(record);
      }

      @Override
      public void checkpointed(long step, String directory) {
        listener.checkpointed(step, directory);
      }

      @Override
      public void status(String message) {
        listener.status(message);
      }

      @Override
      public void finished(long step, String error) {
        end.set(new Result(true, step, error, false));
        listener.finished(step, error);
      }
    };
    VisionTokenizers.keep(plan);
    ClusterNode n = ClusterNode.start(node, config, faults);
    try {
      if (metricsPort > 0) {
        try {
          int bound = io.worldring.actors.metrics.NodeMetrics.get(n.system()).serve(node.host(), metricsPort);
          listener.status("metrics at http://" + node.host() + ":" + bound + "/metrics");
        } catch (java.io.IOException e) {
          listener.status("warning: no metrics endpoint: port " + metricsPort + " is not available (" + e.getMessage()
              + "); give this node another --metrics-port");
        }
      }
      var supervisor = TrainingSupervisor.singleton(n.system(), plan, recording, true);
      io.worldring.actors.metrics.NodeMetrics.get(n.system()).serveStatus(new io.worldring.actors.supervisor.StatusEndpoint(n.system(),
          supervisor));
      n.awaitTermination();
    } finally {
      n.close();
    }
    Result r = end.get();
    return r != null ? r : new Result(false, -1, null, n.removedByCluster());
  }
}

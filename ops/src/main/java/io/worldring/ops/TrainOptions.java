package io.worldring.ops;

import com.typesafe.config.Config;
import io.worldring.actors.cluster.ClusterNode;
import io.worldring.actors.cluster.ConfigProfiles;
import io.worldring.actors.device.DeviceFaults;
import io.worldring.actors.supervisor.RunPlan;
import io.worldring.model.BadInputException;
import io.worldring.ops.train.Curricula;
import io.worldring.ops.train.ProgressReporter;
import io.worldring.ops.train.RunConfig;
import io.worldring.ops.train.TrainSettings;
import io.worldring.ops.train.TrainingRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/** The training flags `train` and `node` share, and how a run is prepared and run with them. */
final class TrainOptions {
  /** Settings that may differ from a run directory's run.conf when it is continued. */
  static final Set<String> RESUMABLE_CHANGES = Set.of("steps", "checkpoint-every", "keep-checkpoints", "devices", "min-devices",
      "max-devices", "retry-delay-ms", "form-timeout-seconds", "step-timeout-seconds");

  /** Flags that describe the one stage of the "single" curriculum. */
  private static final Set<String> SINGLE_STAGE_KEYS = Set.of("seq-len", "batch-size", "steps", "rope-theta", "data", "optimizer");

  @Option(names = "--config", paramLabel = "FILE", description = "HOCON run config (keys under worldring.train, curricula under worldring.curricula)")
  Path config;

  @Option(names = "--run-dir", paramLabel = "DIR", description = "Run directory (default: runs/<curriculum>-<timestamp>); "
      + "one that holds a run is continued from its newest valid checkpoint")
  Path runDir;

  @Option(names = "--resume", description = "Continue the run in --run-dir (an error if it holds none)")
  boolean resume;

  @Option(names = "--curriculum", description = "tiny, small, lwm-text-1m, vision-tiny, vision-small, single, or a name under worldring.curricula")
  String curriculum;

  @Option(names = "--preset", description = "Model preset: tiny, small, llama2-7b")
  String preset;

  @Option(names = "--init-from", paramLabel = "CHECKPOINT", description = "Start from these weights (a checkpoint or run directory)")
  String initFrom;

  @Option(names = "--data", paramLabel = "PATH", description = "Books for the single-stage curriculum (.txt/.jsonl file or directory)")
  String data;

  @Option(names = "--layout", description = "How a ring splits sequences: contiguous or zigzag")
  String layout;

  @Option(names = "--steps", description = "Optimizer steps (single-stage curriculum)") Integer steps;

  @Option(names = "--seq-len", description = "Tokens per sequence (single-stage curriculum)") Integer seqLen;

  @Option(names = "--batch-size", description = "Sequences per step (single-stage curriculum)") Integer batchSize;

  @Option(names = "--random-seed", description = "Seed for initial weights and data order") Long seed;

  @Option(names = "--lr", description = "Peak learning rate (single-stage curriculum)") Double learningRate;

  @Option(names = "--warmup-steps", description = "Linear warmup steps (single-stage curriculum)") Integer warmupSteps;

  @Option(names = "--rope-theta", description = "RoPE base, 0: the model's (single-stage curriculum)") Double ropeTheta;

  @Option(names = "--attention-block", description = "Tokens per attention block") Integer attentionBlock;

  @Option(names = "--recompute", description = "Activation checkpointing") Boolean recompute;

  @Option(names = "--checkpoint-every", description = "Checkpoint interval in steps") Integer checkpointEvery;

  @Option(names = "--keep-checkpoints", description = "Periodic checkpoints to keep") Integer keepCheckpoints;

  @Option(names = "--min-devices", description = "Wait until the ring can have this many devices") Integer minDevices;

  @Option(names = "--max-devices", description = "Largest ring (0: as many as fit the sequence length)") Integer maxDevices;

  @Option(names = "--stop-at", paramLabel = "STEP",
      description = "Stop (with a checkpoint) after this global step; the same --run-dir continues the run later")
  Long stopAt;

  @Option(names = "--metrics-port", defaultValue = "9464",
      description = "Serve this node's Prometheus metrics at http://HOST:PORT/metrics; 0: none (default: ${DEFAULT-VALUE})")
  int metricsPort;

  @Option(names = "--progress", description = "auto, bar, plain or none (default: ${DEFAULT-VALUE})", defaultValue = "auto")
  ProgressReporter.Mode progress;

  /** A run ready to start or continue; {@code config} is the whole resolved configuration (actor settings too). */
  record Prepared(TrainSettings settings, Path runDir, Config config, RunPlan plan) {}

  /**
   * Resolves the settings and the run directory. A run directory that holds a run.conf is continued with
   * it; flags may change only {@link #RESUMABLE_CHANGES}, and must otherwise agree with it.
   */
  Prepared prepare(Integer devices) {
    return prepare(devices, List.of());
  }

  /** As {@link #prepare(Integer)}, with configuration profiles under the run's configuration ({@code node --profile}). */
  Prepared prepare(Integer devices, List<String> profiles) {
    Config profile = ConfigProfiles.load(profiles);
    Map<String, Object> overrides = overrides();
    if (devices != null) {
      overrides.put("devices", devices);
    }
    Path dir = runDir;
    Path stored = dir == null ? null : dir.resolve("run.conf");
    boolean continuing = stored != null && Files.isRegularFile(stored);
    if (resume && !continuing) {
      throw new BadInputException(dir == null ? "--resume needs --run-dir" : dir + ": nothing to resume (no run.conf)");
    }
    Config resolved;
    if (continuing) {
      Map<String, Object> allowed = new LinkedHashMap<>();
      overrides.forEach((k, v) -> {
        if (RESUMABLE_CHANGES.contains(k)) {
          allowed.put(k, v);
        }
      });
      resolved = RunConfig.load(stored, allowed, profile);
      if (config != null || allowed.size() < overrides.size()) {
        String diff = RunConfig.difference(resolved, RunConfig.load(config != null ? config : stored, overrides, profile), RESUMABLE_CHANGES);
        if (diff != null) {
          throw new BadInputException(diff + " cannot change when continuing " + dir + " (only "
              + String.join(", ", RESUMABLE_CHANGES.stream().sorted().map(k -> "--" + k).toList()) + " can); start a new --run-dir instead");
        }
      }
    } else {
      resolved = RunConfig.load(config, overrides, profile);
    }
    TrainSettings settings = RunConfig.settings(resolved);
    if (dir == null) {
      dir = Path.of("runs", settings.curriculum() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }
    RunPlan plan = TrainingRun.plan(settings, resolved, dir, stopAt == null ? Long.MAX_VALUE : stopAt);
    if (!continuing) {
      writeRunConfig(dir, RunConfig.render(resolved));
    }
    return new Prepared(settings, dir, resolved, plan);
  }

  /** Runs a prepared run on a cluster node with progress on stderr; the exit code ({@link WorldringCli#EXIT_REMOVED} for a downed node). */
  int run(Prepared p, ClusterNode.Settings node) {
    TrainingRun.Result result;
    try (ProgressReporter reporter = new ProgressReporter(progress, System.err)) {
      if (progress != ProgressReporter.Mode.NONE) {
        System.err.printf(Locale.ROOT, "worldring: run %s, curriculum %s (%d stages, %,d steps), model %s, %d device(s) here%n",
            p.runDir(), p.settings().curriculum(), p.plan().stages().size(), p.plan().totalSteps(),
            p.settings().initFrom().isEmpty() ? p.settings().preset() : p.settings().initFrom(), node.devices());
      }
      result = TrainingRun.run(p.plan(), node, p.config(), reporter, DeviceFaults.NONE, metricsPort);
    }
    if (result.error() != null) {
      throw new BadInputException(result.error());
    }
    if (result.removed()) {
      System.err.println("worldring: the cluster removed this node before the run ended (it was unreachable: crashed, paused or "
          + "partitioned away, and the Split Brain Resolver downed it); the run goes on without it. Start it again to rejoin as a new member.");
      return WorldringCli.EXIT_REMOVED;
    }
    if (result.hostedEnd()) {
      System.err.printf(Locale.ROOT, "done: step %d, run directory %s%n", result.step(), p.runDir());
    }
    return 0;
  }

  /** Writes run.conf unless present; two nodes starting the same run at once must agree on it. */
  private static void writeRunConfig(Path dir, String rendered) {
    Path file = dir.resolve("run.conf");
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".run", ".conf");
      Files.writeString(tmp, rendered, StandardCharsets.UTF_8);
      try {
        Files.createLink(file, tmp); // fails if it exists: atomic create-if-absent
      } catch (FileAlreadyExistsException e) {
        if (!Files.readString(file, StandardCharsets.UTF_8).equals(rendered)) {
          throw new BadInputException(file + " was written by another node with a different configuration");
        }
      } catch (UnsupportedOperationException e) {
        Files.copy(tmp, file);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new BadInputException(dir + ": cannot create the run directory (" + e.getMessage() + ")", e);
    }
  }

  Map<String, Object> overrides() {
    Map<String, Object> m = new LinkedHashMap<>();
    put(m, "preset", preset);
    put(m, "curriculum", curriculum);
    put(m, "init-from", initFrom);
    put(m, "data", data);
    put(m, "layout", layout);
    put(m, "steps", steps);
    put(m, "seq-len", seqLen);
    put(m, "batch-size", batchSize);
    put(m, "seed", seed);
    put(m, "rope-theta", ropeTheta);
    put(m, "attention-block", attentionBlock);
    put(m, "recompute", recompute);
    put(m, "checkpoint-every", checkpointEvery);
    put(m, "keep-checkpoints", keepCheckpoints);
    put(m, "min-devices", minDevices);
    put(m, "max-devices", maxDevices);
    if (learningRate != null || warmupSteps != null) {
      Map<String, Object> opt = new LinkedHashMap<>();
      put(opt, "learning-rate", learningRate);
      put(opt, "warmup-steps", warmupSteps);
      m.put("optimizer", opt);
    }
    if (curriculum == null && m.keySet().stream().anyMatch(SINGLE_STAGE_KEYS::contains)) {
      m.put("curriculum", Curricula.SINGLE);
    }
    return m;
  }

  private static void put(Map<String, Object> m, String key, Object value) {
    if (value != null) {
      m.put(key, value);
    }
  }
}

package io.worldring.ops;

import com.typesafe.config.Config;
import io.worldring.model.BadInputException;
import io.worldring.model.io.Checkpoint;
import io.worldring.model.train.StepResult;
import io.worldring.ops.train.ProgressReporter;
import io.worldring.ops.train.RunConfig;
import io.worldring.ops.train.TrainSettings;
import io.worldring.ops.train.TrainingRun;
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
  /** Settings that may change when a run is resumed; anything else must match the stored run.conf. */
  private static final Set<String> RESUMABLE_CHANGES = Set.of("steps", "checkpoint-every", "keep-checkpoints");

  @Option(names = "--config", paramLabel = "FILE", description = "HOCON run config (keys under worldring.train)")
  Path config;

  @Option(names = "--run-dir", paramLabel = "DIR", description = "Run directory (default: runs/<preset>-<timestamp>)")
  Path runDir;

  @Option(names = "--preset", description = "Model preset: tiny, small, llama2-7b")
  String preset;

  @Option(names = "--init-from", paramLabel = "CHECKPOINT", description = "Start from these weights (a checkpoint or run directory)")
  String initFrom;

  @Option(names = "--data", paramLabel = "FILE", description = "UTF-8 training text (default: the bundled sample corpus)")
  String data;

  @Option(names = "--layout", description = "How a ring splits sequences: contiguous or zigzag")
  String layout;

  @Option(names = "--steps", description = "Optimizer steps") Integer steps;

  @Option(names = "--seq-len", description = "Tokens per sequence") Integer seqLen;

  @Option(names = "--batch-size", description = "Sequences per step") Integer batchSize;

  @Option(names = "--random-seed", description = "Seed for initial weights and data order") Long seed;

  @Option(names = "--lr", description = "Peak learning rate") Double learningRate;

  @Option(names = "--warmup-steps", description = "Linear warmup steps") Integer warmupSteps;

  @Option(names = "--rope-theta", description = "RoPE base (0: the model's)") Double ropeTheta;

  @Option(names = "--attention-block", description = "Tokens per attention block") Integer attentionBlock;

  @Option(names = "--recompute", description = "Activation checkpointing") Boolean recompute;

  @Option(names = "--checkpoint-every", description = "Checkpoint interval in steps") Integer checkpointEvery;

  @Option(names = "--keep-checkpoints", description = "Checkpoints to keep") Integer keepCheckpoints;

  @Option(names = "--stop-at", paramLabel = "STEP",
      description = "Stop (with a checkpoint) after this step; the same --run-dir continues the run later")
  Long stopAt;

  @Option(names = "--progress", description = "auto, bar, plain or none (default: ${DEFAULT-VALUE})", defaultValue = "auto")
  ProgressReporter.Mode progress;

  /** A run ready to start or resume; {@code config} is the whole resolved configuration (actor settings too). */
  record Prepared(TrainSettings settings, Path runDir, String renderedConfig, Config config) {}

  /**
   * Resolves the settings (with {@code devices} as the ring size) and the run directory. A run directory
   * with checkpoints is resumed with its own run.conf.
   */
  Prepared prepare(Integer devices) {
    Map<String, Object> overrides = overrides();
    if (devices != null) {
      overrides.put("devices", devices);
    }
    Path dir = runDir;
    Path file = config;
    boolean resuming = dir != null && Checkpoint.latestIn(dir.resolve("checkpoints")) != null;
    if (resuming) {
      if (config != null) {
        throw new BadInputException("--config cannot be combined with resuming " + dir + "; its run.conf is used");
      }
      for (String key : overrides.keySet()) {
        if (!RESUMABLE_CHANGES.contains(key)) {
          throw new BadInputException("--" + key + " cannot change when resuming " + dir + " (only --steps, --checkpoint-every, "
              + "--keep-checkpoints can); start a new --run-dir instead");
        }
      }
      file = dir.resolve("run.conf");
    }
    Config resolved = RunConfig.load(file, overrides);
    TrainSettings settings = RunConfig.settings(resolved);
    if (dir == null) {
      dir = Path.of("runs", settings.preset() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }
    if (!resuming && Files.exists(dir.resolve("run.conf"))) {
      throw new BadInputException(dir + " already holds a run without checkpoints; choose another --run-dir");
    }
    return new Prepared(settings, dir, RunConfig.render(resolved), resolved);
  }

  /** Runs a prepared run on {@code backends}, with progress on stderr. */
  int run(Prepared p, TrainingRun.Backends backends) {
    TrainingRun training = new TrainingRun(p.settings(), p.runDir(), p.renderedConfig(), p.config());
    List<StepResult> results;
    try (ProgressReporter reporter = new ProgressReporter(progress, System.err)) {
      results = training.run(reporter, stopAt == null ? p.settings().steps() : stopAt, backends);
    }
    if (!results.isEmpty()) {
      StepResult last = results.get(results.size() - 1);
      System.err.printf(Locale.ROOT, "done: step %d, loss %.4f, run directory %s%n", last.step() + 1, last.loss(), p.runDir());
    } else {
      System.err.println("nothing to do: " + p.runDir() + " already reached step " + p.settings().steps());
    }
    return 0;
  }

  Map<String, Object> overrides() {
    Map<String, Object> m = new LinkedHashMap<>();
    put(m, "preset", preset);
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
    if (learningRate != null || warmupSteps != null) {
      Map<String, Object> opt = new LinkedHashMap<>();
      put(opt, "learning-rate", learningRate);
      put(opt, "warmup-steps", warmupSteps);
      m.put("optimizer", opt);
    }
    return m;
  }

  private static void put(Map<String, Object> m, String key, Object value) {
    if (value != null) {
      m.put(key, value);
    }
  }
}

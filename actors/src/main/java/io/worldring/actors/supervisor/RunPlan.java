package io.worldring.actors.supervisor;

import io.worldring.model.BadInputException;
import io.worldring.model.ModelConfig;
import io.worldring.model.train.OptimizerConfig;
import io.worldring.ring.SequenceLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything the training supervisor needs to run (and, on another node, to take over) a run. Every node
 * of a cluster must be started with the same plan: the supervisor is a cluster singleton and may move.
 *
 * @param runId identifies the run's replicas on the devices; stable across restarts (the run directory's name)
 * @param runDir where checkpoints, the ledger and the metrics log live; shared by every node that may host
 *     the supervisor
 * @param model the model shape (each stage sets its own RoPE theta)
 * @param initFrom weights the first stage starts from, or "" for fresh weights from {@code seed}
 * @param seed initial weights and data order
 * @param layout how a ring splits each sequence
 * @param attentionBlock tokens per attention tile
 * @param recompute activation checkpointing
 * @param optimizer AdamW settings; each stage sets learning rate, warmup and the schedule's length
 * @param stages the curriculum, in order
 * @param checkpointEvery a checkpoint every this many steps (and at each stage's end)
 * @param keepCheckpoints periodic checkpoints kept (stage-final ones are always kept)
 * @param minDevices below this many devices the supervisor waits
 * @param maxDevices ring size limit (0: every device that fits the sequence-length rule)
 * @param stopAt stop (with a checkpoint) after this global step; Long.MAX_VALUE: run to the end
 * @param retryDelay pause before re-forming a ring after a failure
 * @param formTimeout limit for forming a ring (probes, replica copies)
 * @param stepTimeout limit for one step
 */
public record RunPlan(String runId, Path runDir, ModelConfig model, String initFrom, long seed, SequenceLayout layout,
    int attentionBlock, boolean recompute, OptimizerConfig optimizer, List<Stage> stages, int checkpointEvery, int keepCheckpoints,
    int minDevices, int maxDevices, long stopAt, Duration retryDelay, Duration formTimeout, Duration stepTimeout) {

  public RunPlan {
    if (stages.isEmpty()) {
      throw new BadInputException("the curriculum has no stages");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < stages.size(); i++) {
      Stage s = stages.get(i);
      if (!names.add(s.name())) {
        throw new BadInputException("two stages are named '" + s.name() + "'");
      }
      if (!s.initFromStage().isEmpty() && !names.contains(s.initFromStage())) {
        throw new BadInputException("stage '" + s.name() + "' starts from '" + s.initFromStage() + "', which is not an earlier stage");
      }
      if (s.initFromStage().equals(s.name())) {
        throw new BadInputException("stage '" + s.name() + "' cannot start from itself");
      }
    }
    if (checkpointEvery < 1 || keepCheckpoints < 1) {
      throw new BadInputException("checkpoint-every and keep-checkpoints must be positive");
    }
    if (minDevices < 1 || maxDevices < 0 || maxDevices > 0 && maxDevices < minDevices) {
      throw new BadInputException("min-devices must be >= 1 and max-devices 0 or >= min-devices");
    }
    stages = List.copyOf(stages);
  }

  /** Global steps before stage {@code index}. */
  public long stepsBefore(int index) {
    long s = 0;
    for (int i = 0; i < index; i++) {
      s += stages.get(i).steps();
    }
    return s;
  }

  public long totalSteps() {
    return stepsBefore(stages.size());
  }

  public int stageIndex(String name) {
    for (int i = 0; i < stages.size(); i++) {
      if (stages.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new BadInputException("no stage named '" + name + "'");
  }

  /** The stage's optimizer: its learning rate, warmup and schedule (the run's unless it sets one), spanning its steps. */
  public OptimizerConfig optimizer(Stage s) {
    OptimizerConfig o = optimizer;
    String schedule = s.schedule().isEmpty() ? o.schedule() : s.schedule();
    return new OptimizerConfig(s.learningRate(), s.warmupSteps(), schedule, Math.min(o.minLearningRate(), s.learningRate()),
        s.steps(), o.beta1(), o.beta2(), o.eps(), o.weightDecay(), o.gradClip());
  }
}

package io.worldring.actors.driver;

import io.worldring.actors.device.DeviceActor;
import io.worldring.actors.device.ModelSpec;
import io.worldring.model.BadInputException;
import io.worldring.model.Parameters;
import io.worldring.model.attention.TokenBlock;
import io.worldring.model.train.BatchWeights;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.RingSchedule;
import io.worldring.ring.SequenceLayout;
import io.worldring.ring.TensorPayload;
import io.worldring.ring.WireMessage;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Forms a ring of devices and runs steps on it: splits each sequence of a batch over the devices by the
 * layout, starts the step, and once every device holds the reduced gradient, commits it so all apply
 * the same update. One step at a time; the training supervisor owns the data, checkpoints and what to do
 * when something fails.
 *
 * <p>Forming a ring first probes every device for the replica it holds: devices at the newest step of
 * this run keep theirs, others copy it from one of them, and if none holds one every device builds it
 * from the spec (a checkpoint or the seed) at the given start step. The ring reports the step and the
 * committed training state it is at, which may be newer than the caller knew (a supervisor that moved).
 *
 * <p>A step fails when a device reports a failure, a device of the ring terminates (its node was downed)
 * or the step exceeds its timeout; the outcome says whether the step had committed.
 */
public final class TrainingDriver extends AbstractBehavior<TrainingDriver.Command> {
  public sealed interface Command extends WireMessage
      permits FormRing, RunStep, SaveCheckpoint, Probed, DeviceReady, StepReduced, Applied, CheckpointSaved, DeviceFailed,
          DeviceTerminated, Timeout {}

  /**
   * Configures {@code devices} (in ring order) as one ring; replies when all are ready. When no device holds
   * a replica of {@code spec}, replicas are built from {@code resumeCheckpoint} (weights and optimizer; "":
   * from the spec) and are at {@code startStep} with {@code startState}.
   */
  public record FormRing(String runId, ActorRef<DeviceActor.Command>[] devices, SequenceLayout layout, ModelSpec spec,
      long startStep, String startState, String resumeCheckpoint, ActorRef<RingFormed> replyTo) implements Command {
    /** A ring of fresh replicas at step 0. */
    public FormRing(String runId, ActorRef<DeviceActor.Command>[] devices, SequenceLayout layout, ModelSpec spec,
        ActorRef<RingFormed> replyTo) {
      this(runId, devices, layout, spec, 0, "", "", replyTo);
    }
  }

  /**
   * Runs one step of the batch (weights are normalised here over the whole batch). {@code committedState}
   * travels with the commit and stays with every replica.
   */
  public record RunStep(long step, TrainingSequence[] batch, double learningRate, boolean apply, boolean gradients,
      String committedState, int[] logitPositions, ActorRef<StepOutcome> replyTo) implements Command {
    public RunStep(long step, TrainingSequence[] batch, double learningRate, boolean apply, boolean gradients,
        ActorRef<StepOutcome> replyTo) {
      this(step, batch, learningRate, apply, gradients, "", null, replyTo);
    }

    /**
     * An inference round: forward only over the ring; the outcome carries, for each sequence, the logits at
     * index {@code logitPositions[s]} of that sequence. Nothing is applied.
     */
    public static RunStep logits(TrainingSequence[] batch, int[] logitPositions, ActorRef<StepOutcome> replyTo) {
      return new RunStep(-1, batch, 0, false, false, "", logitPositions, replyTo);
    }
  }

  /** Device 0 writes a checkpoint. */
  public record SaveCheckpoint(String directory, long step, String trainingState, ActorRef<CheckpointSaved> replyTo) implements Command {}

  /** A device's answer to a probe: the spec and step of the replica it holds for the run (null, -1: none). */
  public record Probed(ActorRef<DeviceActor.Command> device, ModelSpec spec, long replicaStep, String committedState) implements Command {}

  public record DeviceReady(String runId, int index, String parameterDigest, boolean nextIsLocal, long replicaStep) implements Command {}

  public record StepReduced(String runId, int index, long round, double lossSum, long kvBytesSent, long gradientBytesSent,
      long peakActivationBytes,
      long dropped, String[] gradientNames, TensorPayload[] gradientValues, float[][] logits, double overlapRatio) implements Command {}

  public record Applied(String runId, int index, long round, double gradNorm) implements Command {}

  /** A checkpoint was written to {@code directory}, or not ({@code error}). */
  public record CheckpointSaved(String runId, long step, String directory, String error) implements Command {}

  public record DeviceFailed(String runId, int index, long round, String message) implements Command {}

  /** A watched device stopped (its node left or was downed, or it failed too often). */
  public record DeviceTerminated(ActorRef<DeviceActor.Command> device) implements Command {}

  /** A phase took longer than its limit. */
  public record Timeout(long attempt) implements Command {}

  /**
   * The ring is ready at {@code step} with {@code committedState}; every device holds the same weights.
   * With {@code error} it did not form.
   */
  public record RingFormed(int devices, String parameterDigest, long step, String committedState, String error) {}

  private final TimerScheduler<Command> timers;
  private final Duration formTimeout;
  private final Duration stepTimeout;
  private String runId;
  private ActorRef<DeviceActor.Command>[] devices;
  private RingSchedule ring;
  private FormRing forming;
  private final Map<ActorRef<DeviceActor.Command>, Probed> probes = new HashMap<>();
  private final Set<String> digests = new HashSet<>();
  private final Set<Long> readySteps = new HashSet<>();
  private long formedStep;
  private String formedState;
  private int ready;
  private RunStep running;
  private long round; // the current round; every RunStep gets a new one, so a re-run step never reuses it
  private long attempt; // formations and rounds, so a late timeout never hits a later one
  private boolean committed;
  private StepReduced[] reduced;
  private int reducedCount;
  private Applied[] applied;
  private int appliedCount;
  private ActorRef<CheckpointSaved> saveReply;
  private boolean broken;

  public static Behavior<Command> create() {
    return create(Duration.ofMinutes(10), Duration.ofMinutes(30));
  }

  /**
   * @param formTimeout how long forming a ring (probes, replica copies) may take
   * @param stepTimeout how long one step may take before it is abandoned
   */
  public static Behavior<Command> create(Duration formTimeout, Duration stepTimeout) {
    return Behaviors.withTimers(timers -> Behaviors.setup(ctx -> new TrainingDriver(ctx, timers, formTimeout, stepTimeout)));
  }

  private TrainingDriver(ActorContext<Command> context, TimerScheduler<Command> timers, Duration formTimeout, Duration stepTimeout) {
    super(context);
    this.timers = timers;
    this.formTimeout = formTimeout;
    this.stepTimeout = stepTimeout;
    // Rounds are unique across driver incarnations (a supervisor that moved starts a new driver), so a
    // message of an old incarnation's round can never be taken for a current one.
    this.round = System.currentTimeMillis() * 1000;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(FormRing.class, this::onFormRing)
        .onMessage(Probed.class, this::onProbed)
        .onMessage(DeviceReady.class, this::onDeviceReady)
        .onMessage(RunStep.class, this::onRunStep)
        .onMessage(StepReduced.class, this::onStepReduced)
        .onMessage(Applied.class, this::onApplied)
        .onMessage(SaveCheckpoint.class, this::onSaveCheckpoint)
        .onMessage(CheckpointSaved.class, this::onCheckpointSaved)
        .onMessage(DeviceFailed.class, this::onDeviceFailed)
        .onMessage(DeviceTerminated.class, this::onDeviceTerminated)
        .onMessage(Timeout.class, this::onTimeout)
        .build();
  }

  private Behavior<Command> onFormRing(FormRing f) {
    if (running != null) {
      fail("the ring is re-forming", committed);
    }
    runId = f.runId();
    devices = f.devices();
    ring = new RingSchedule(devices.length, f.layout());
    forming = f;
    broken = false;
    probes.clear();
    digests.clear();
    readySteps.clear();
    ready = 0;
    timers.startSingleTimer("phase", new Timeout(++attempt), formTimeout);
    for (ActorRef<DeviceActor.Command> d : devices) {
      getContext().watchWith(d, new DeviceTerminated(d));
      d.tell(new DeviceActor.Probe(runId, getContext().getSelf()));
    }
    return this;
  }

  private Behavior<Command> onProbed(Probed p) {
    if (forming == null || !Arrays.asList(devices).contains(p.device()) || probes.containsKey(p.device())) {
      return this;
    }
    probes.put(p.device(), p);
    if (probes.size() < devices.length) {
      return this;
    }
    // The newest replica of this spec wins; devices behind it (or without one) copy it.
    Probed newest = null;
    for (ActorRef<DeviceActor.Command> d : devices) {
      Probed q = probes.get(d);
      if (forming.spec().equals(q.spec()) && q.replicaStep() >= 0 && (newest == null || q.replicaStep() > newest.replicaStep())) {
        newest = q;
      }
    }
    formedStep = newest == null ? forming.startStep() : newest.replicaStep();
    formedState = newest == null ? forming.startState() : newest.committedState();
    for (int i = 0; i < devices.length; i++) {
      Probed q = probes.get(devices[i]);
      boolean current = newest != null && forming.spec().equals(q.spec()) && q.replicaStep() == newest.replicaStep();
      ActorRef<DeviceActor.Command> source = newest == null || current ? null : newest.device();
      devices[i].tell(new DeviceActor.Configure(runId, i, devices, forming.layout(), forming.spec(), formedStep, formedState,
          forming.resumeCheckpoint(), source, getContext().getSelf()));
    }
    return this;
  }

  private Behavior<Command> onDeviceReady(DeviceReady r) {
    if (!r.runId().equals(runId) || forming == null) {
      return this;
    }
    digests.add(r.parameterDigest());
    readySteps.add(r.replicaStep());
    if (++ready == devices.length) {
      String error = digests.size() != 1 ? "devices hold different weights (" + digests.size() + " digests)"
          : readySteps.size() != 1 || !readySteps.contains(formedStep) ? "devices are at different steps " + readySteps : null;
      timers.cancel("phase");
      forming.replyTo().tell(new RingFormed(devices.length, digests.iterator().next(), formedStep, formedState, error));
      forming = null;
    }
    return this;
  }

  private Behavior<Command> onRunStep(RunStep s) {
    if (running != null) {
      s.replyTo().tell(failure(s, "step " + running.step() + " is still running", false));
      return this;
    }
    if (devices == null || forming != null || broken) {
      s.replyTo().tell(failure(s, "no ring is formed", false));
      return this;
    }
    TrainingSequence[] batch;
    boolean inference = s.logitPositions() != null;
    try {
      if (inference && s.logitPositions().length != s.batch().length) {
        throw new BadInputException("one logit position per sequence is needed");
      }
      batch = inference ? s.batch() : BatchWeights.normalise(List.of(s.batch())).toArray(new TrainingSequence[0]);
      for (TrainingSequence seq : batch) {
        ring.checkLength(seq.length());
      }
    } catch (BadInputException e) {
      s.replyTo().tell(failure(s, e.getMessage(), false));
      return this;
    }
    running = s;
    committed = false;
    round++;
    reduced = new StepReduced[devices.length];
    applied = new Applied[devices.length];
    reducedCount = 0;
    appliedCount = 0;
    timers.startSingleTimer("phase", new Timeout(++attempt), stepTimeout);
    TokenBlock[][] blocks = new TokenBlock[batch.length][];
    for (int q = 0; q < batch.length; q++) {
      blocks[q] = ring.blocks(batch[q]);
    }
    for (int d = 0; d < devices.length; d++) {
      TrainingSequence[] shards = new TrainingSequence[batch.length];
      for (int q = 0; q < batch.length; q++) {
        shards[q] = ring.shard(batch[q], d);
      }
      int[] rows = null;
      if (inference) {
        rows = new int[batch.length];
        for (int q = 0; q < batch.length; q++) {
          int[] held = ring.tokenIndices(d, batch[q].length());
          rows[q] = -1;
          for (int i = 0; i < held.length; i++) {
            if (held[i] == s.logitPositions()[q]) {
              rows[q] = i;
            }
          }
        }
      }
      devices[d].tell(new DeviceActor.StartStep(runId, s.step(), round, shards, blocks, s.gradients() && d == 0, rows, getContext().getSelf()));
    }
    return this;
  }

  private Behavior<Command> onStepReduced(StepReduced r) {
    if (running == null || r.round() != round || !r.runId().equals(runId) || reduced[r.index()] != null) {
      return this;
    }
    reduced[r.index()] = r;
    if (++reducedCount < devices.length) {
      return this;
    }
    if (running.logitPositions() != null) {
      finish(0); // inference: the devices are idle again
    } else if (running.apply()) {
      committed = true; // the commit point: every device holds the reduced gradient
      for (ActorRef<DeviceActor.Command> d : devices) {
        d.tell(new DeviceActor.Commit(runId, round, running.step(), running.learningRate(), running.committedState(), getContext().getSelf()));
      }
    } else {
      for (ActorRef<DeviceActor.Command> d : devices) {
        d.tell(new DeviceActor.Discard(runId, round));
      }
      finish(0);
    }
    return this;
  }

  private Behavior<Command> onApplied(Applied a) {
    if (running == null || a.round() != round || !a.runId().equals(runId) || applied[a.index()] != null) {
      return this;
    }
    applied[a.index()] = a;
    if (++appliedCount == devices.length) {
      finish(a.gradNorm());
    }
    return this;
  }

  private void finish(double gradNorm) {
    finish(gradNorm, null);
  }

  /** Reports the step from the devices' reductions (also when a device failed after the commit). */
  private void finish(double gradNorm, String error) {
    timers.cancel("phase");
    double loss = 0;
    long kvBytes = 0;
    long gradientBytes = 0;
    long peak = 0;
    long dropped = 0;
    double[] overlap = new double[reduced.length]; // [devices]
    for (int d = 0; d < reduced.length; d++) {
      overlap[d] = reduced[d].overlapRatio();
    }
    for (StepReduced r : reduced) {
      loss += r.lossSum();
      kvBytes += r.kvBytesSent();
      gradientBytes += r.gradientBytesSent();
      peak = Math.max(peak, r.peakActivationBytes());
      dropped += r.dropped();
    }
    long tokens = 0;
    for (TrainingSequence seq : running.batch()) {
      tokens += seq.length();
    }
    Parameters gradients = null;
    if (reduced[0].gradientNames() != null) {
      gradients = new Parameters();
      for (int i = 0; i < reduced[0].gradientNames().length; i++) {
        gradients.put(reduced[0].gradientNames()[i], reduced[0].gradientValues()[i].array());
      }
    }
    float[][] logits = null;
    if (running.logitPositions() != null) {
      logits = new float[running.batch().length][];
      for (StepReduced r : reduced) {
        for (int q = 0; q < logits.length; q++) {
          if (r.logits() != null && r.logits()[q] != null) {
            logits[q] = r.logits()[q];
          }
        }
      }
    }
    running.replyTo().tell(new StepOutcome(running.step(), loss, gradNorm, tokens, kvBytes, gradientBytes, peak, dropped, gradients,
        error, running.apply(), logits, overlap));
    running = null;
  }

  private Behavior<Command> onSaveCheckpoint(SaveCheckpoint s) {
    if (devices == null || broken || running != null) {
      s.replyTo().tell(new CheckpointSaved(runId, s.step(), null, "no idle ring to write the checkpoint"));
      return this;
    }
    saveReply = s.replyTo();
    devices[0].tell(new DeviceActor.SaveCheckpoint(runId, s.directory(), s.step(), s.trainingState(), getContext().getSelf()));
    return this;
  }

  private Behavior<Command> onCheckpointSaved(CheckpointSaved c) {
    if (saveReply != null) {
      saveReply.tell(c);
      saveReply = null;
    }
    return this;
  }

  private Behavior<Command> onDeviceFailed(DeviceFailed f) {
    if (f.runId() != null && !f.runId().equals(runId)) {
      return this;
    }
    fail("device " + f.index() + ": " + f.message(), committed);
    return this;
  }

  private Behavior<Command> onDeviceTerminated(DeviceTerminated t) {
    if (devices != null && Arrays.asList(devices).contains(t.device())) {
      fail("device " + t.device().path() + " terminated", committed);
    }
    return this;
  }

  private Behavior<Command> onTimeout(Timeout t) {
    if (t.attempt() == attempt) {
      fail(forming != null ? "the ring did not form within " + formTimeout.toSeconds() + " s"
          : "step did not finish within " + stepTimeout.toSeconds() + " s", committed);
    }
    return this;
  }

  /** Ends whatever is in progress with {@code message}; the devices will be re-configured before the next step. */
  private void fail(String message, boolean wasCommitted) {
    timers.cancel("phase");
    if (forming != null) {
      forming.replyTo().tell(new RingFormed(devices.length, null, -1, "", message));
      forming = null;
    } else if (running != null && wasCommitted) {
      double norm = 0;
      for (Applied a : applied) {
        norm = a != null ? a.gradNorm() : norm;
      }
      finish(norm, message);
    } else if (running != null) {
      running.replyTo().tell(failure(running, message, false));
      running = null;
    } else if (saveReply != null) {
      saveReply.tell(new CheckpointSaved(runId, -1, null, message));
      saveReply = null;
    }
    forming = null;
    committed = false;
    broken = true; // a failed ring is not used again until it is formed anew
  }

  private static StepOutcome failure(RunStep s, String message, boolean committed) {
    return new StepOutcome(s.step(), Double.NaN, 0, 0, 0, 0, 0, 0, null, message, committed, null, new double[0]);
  }
}

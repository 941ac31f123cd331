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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Forms a ring of devices and runs steps on it: splits each sequence of a batch over the devices by the
 * layout, starts the step, and once every device holds the reduced gradient, commits it so all apply
 * the same update. One step at a time; the training supervisor of a later stage will own the data,
 * checkpoints and failures.
 */
public final class TrainingDriver extends AbstractBehavior<TrainingDriver.Command> {
  public sealed interface Command extends WireMessage
      permits FormRing, RunStep, SaveCheckpoint, DeviceReady, StepReduced, Applied, CheckpointSaved, DeviceFailed {}

  /** Configures {@code devices} (in ring order) as one ring; replies when all are ready. */
  public record FormRing(String runId, ActorRef<DeviceActor.Command>[] devices, SequenceLayout layout, ModelSpec spec,
      ActorRef<RingFormed> replyTo) implements Command {}

  /** Runs one step of the batch (weights are normalised here over the whole batch). */
  public record RunStep(long step, TrainingSequence[] batch, double learningRate, boolean apply, boolean gradients,
      ActorRef<StepOutcome> replyTo) implements Command {}

  /** Device 0 writes a checkpoint. */
  public record SaveCheckpoint(String directory, long step, String trainingState, ActorRef<CheckpointSaved> replyTo) implements Command {}

  public record DeviceReady(String runId, int index, String parameterDigest, boolean nextIsLocal) implements Command {}

  public record StepReduced(String runId, int index, long round, double lossSum, long kvBytesSent, long gradientBytesSent,
      long peakActivationBytes,
      long dropped, String[] gradientNames, TensorPayload[] gradientValues) implements Command {}

  public record Applied(String runId, int index, long round, double gradNorm) implements Command {}

  public record CheckpointSaved(String runId, long step, String directory) implements Command {}

  public record DeviceFailed(String runId, int index, long round, String message) implements Command {}

  /** The ring is ready; every device built the same weights. */
  public record RingFormed(int devices, String parameterDigest, String error) {}

  private String runId;
  private ActorRef<DeviceActor.Command>[] devices;
  private RingSchedule ring;
  private ActorRef<RingFormed> formReply;
  private final Set<String> digests = new HashSet<>();
  private int ready;
  private RunStep running;
  private long round; // the current round; every RunStep gets a new one, so a re-run step never reuses it
  private StepReduced[] reduced;
  private int reducedCount;
  private Applied[] applied;
  private int appliedCount;
  private ActorRef<CheckpointSaved> saveReply;

  public static Behavior<Command> create() {
    return Behaviors.setup(TrainingDriver::new);
  }

  private TrainingDriver(ActorContext<Command> context) {
    super(context);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(FormRing.class, this::onFormRing)
        .onMessage(DeviceReady.class, this::onDeviceReady)
        .onMessage(RunStep.class, this::onRunStep)
        .onMessage(StepReduced.class, this::onStepReduced)
        .onMessage(Applied.class, this::onApplied)
        .onMessage(SaveCheckpoint.class, this::onSaveCheckpoint)
        .onMessage(CheckpointSaved.class, this::onCheckpointSaved)
        .onMessage(DeviceFailed.class, this::onDeviceFailed)
        .build();
  }

  private Behavior<Command> onFormRing(FormRing f) {
    runId = f.runId();
    devices = f.devices();
    ring = new RingSchedule(devices.length, f.layout());
    formReply = f.replyTo();
    digests.clear();
    ready = 0;
    for (int i = 0; i < devices.length; i++) {
      devices[i].tell(new DeviceActor.Configure(runId, i, devices, f.layout(), f.spec(), getContext().getSelf()));
    }
    return this;
  }

  private Behavior<Command> onDeviceReady(DeviceReady r) {
    if (!r.runId().equals(runId) || formReply == null) {
      return this;
    }
    digests.add(r.parameterDigest());
    if (++ready == devices.length) {
      String error = digests.size() == 1 ? null : "devices built different weights (" + digests.size() + " digests)";
      formReply.tell(new RingFormed(devices.length, digests.iterator().next(), error));
      formReply = null;
    }
    return this;
  }

  private Behavior<Command> onRunStep(RunStep s) {
    if (running != null) {
      s.replyTo().tell(failure(s, "step " + running.step() + " is still running"));
      return this;
    }
    TrainingSequence[] batch;
    try {
      batch = BatchWeights.normalise(List.of(s.batch())).toArray(new TrainingSequence[0]);
      for (TrainingSequence seq : batch) {
        ring.checkLength(seq.length());
      }
    } catch (BadInputException e) {
      s.replyTo().tell(failure(s, e.getMessage()));
      return this;
    }
    running = s;
    round++;
    reduced = new StepReduced[devices.length];
    applied = new Applied[devices.length];
    reducedCount = 0;
    appliedCount = 0;
    TokenBlock[][] blocks = new TokenBlock[batch.length][];
    for (int q = 0; q < batch.length; q++) {
      blocks[q] = ring.blocks(batch[q]);
    }
    for (int d = 0; d < devices.length; d++) {
      TrainingSequence[] shards = new TrainingSequence[batch.length];
      for (int q = 0; q < batch.length; q++) {
        shards[q] = ring.shard(batch[q], d);
      }
      devices[d].tell(new DeviceActor.StartStep(runId, round, shards, blocks, s.gradients() && d == 0, getContext().getSelf()));
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
    if (running.apply()) {
      for (ActorRef<DeviceActor.Command> d : devices) {
        d.tell(new DeviceActor.Commit(runId, round, running.learningRate(), getContext().getSelf()));
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
    double loss = 0;
    long kvBytes = 0;
    long gradientBytes = 0;
    long peak = 0;
    long dropped = 0;
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
    running.replyTo().tell(new StepOutcome(running.step(), loss, gradNorm, tokens, kvBytes, gradientBytes, peak, dropped, gradients, null));
    running = null;
  }

  private Behavior<Command> onSaveCheckpoint(SaveCheckpoint s) {
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
    String message = "device " + f.index() + ": " + f.message();
    if (formReply != null) {
      formReply.tell(new RingFormed(devices.length, null, message));
      formReply = null;
    } else if (running != null) {
      running.replyTo().tell(failure(running, message));
      running = null;
    }
    return this;
  }

  private static StepOutcome failure(RunStep s, String message) {
    return new StepOutcome(s.step(), Double.NaN, 0, 0, 0, 0, 0, 0, null, message);
  }
}

package io.worldring.actors.device;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.actors.driver.TrainingDriver;
import io.worldring.actors.wire.WorldringWire;
import io.worldring.model.LlamaModel;
import io.worldring.model.Parameters;
import io.worldring.model.attention.TokenBlock;
import io.worldring.model.io.Checkpoint;
import io.worldring.model.train.AdamW;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.GradChunk;
import io.worldring.ring.KvBlock;
import io.worldring.ring.KvGradBlock;
import io.worldring.ring.RingCursor;
import io.worldring.ring.RingInbox;
import io.worldring.ring.RingMessage;
import io.worldring.ring.RingSchedule;
import io.worldring.ring.SequenceLayout;
import io.worldring.ring.TensorPayload;
import io.worldring.ring.WireMessage;
import io.worldring.ring.wire.Fragments;
import io.worldring.ring.wire.WireFragment;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * One accelerator: a model replica and one block of every training sequence. It passes key/value blocks
 * (and in backward the travelling dK/dV) to the next device of the ring and reduces parameter gradients
 * around the same ring; the arithmetic is {@link RingDevice}'s, the ordering {@link RingInbox}'s. Ring
 * messages that arrive early wait in the inbox until their turn; control messages that arrive in the
 * wrong phase are stashed.
 *
 * <p>The replica outlives a ring: when the ring re-forms (a device joined or left) a device keeps its
 * weights if they are the run's at the expected step, and otherwise copies them from a live peer
 * ({@link ReplicaTransfer}). Every commit also leaves the committed training state (step, data position)
 * with the replica, so a supervisor that moved to another node can continue from the survivors.
 *
 * <p>A device whose work throws reports the failure to the driver and is restarted by its supervision
 * (state dropped); the driver re-forms the ring and the restarted device re-syncs from a peer.
 *
 * <p>Flow control is hop by hop: a device forwards a block only after it has received it, and cannot
 * finish a layer before every device has produced that layer's block, so no device runs more than one
 * layer ahead of another and a link never carries more than 2(n-1) blocks at once. Artery's queues
 * (reference.conf) are sized above that.
 */
public final class DeviceActor extends AbstractBehavior<DeviceActor.Command> {
  public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "worldring-device");

  public sealed interface Command extends WireMessage
      permits Probe, Configure, StartStep, Deliver, DeliverBytes, DeliverFragment, Commit, Discard, SaveCheckpoint, SendReplica,
          ReplicaFragment, Shutdown {}

  /** Asks what replica this device holds (answered with {@link TrainingDriver.Probed}). */
  public record Probe(String runId, ActorRef<TrainingDriver.Command> replyTo) implements Command {}

  /**
   * Joins a ring as device {@code index} of {@code ring}. The replica: copied from {@code syncFrom} when
   * given; else kept if it is this run's with the same spec; else built from {@code resumeCheckpoint}
   * (weights and optimizer moments) or, if that is "", from {@code spec}, and taken to be at
   * {@code startStep} with {@code startState}.
   */
  public record Configure(String runId, int index, ActorRef<Command>[] ring, SequenceLayout layout, ModelSpec spec,
      long startStep, String startState, String resumeCheckpoint, ActorRef<Command> syncFrom,
      ActorRef<TrainingDriver.Command> replyTo) implements Command {}

  /**
   * Begins a round (one attempt at a step; rounds never repeat): this device's part of each sequence,
   * and every device's token positions per sequence. With {@code gradients}, the reduced gradient is
   * included in the report. With {@code logitRows} an inference round: forward only, reporting the
   * logits of this device's row {@code logitRows[s]} of each sequence (-1: none).
   */
  public record StartStep(String runId, long step, long round, TrainingSequence[] shards, TokenBlock[][] blocks, boolean gradients,
      int[] logitRows, ActorRef<TrainingDriver.Command> replyTo) implements Command {}

  /** A ring message from the previous device in this JVM. */
  public record Deliver(RingMessage message) implements Command {}

  /** A serialized ring message from the previous device in another JVM. */
  public record DeliverBytes(int sender, byte[] message) implements Command {}

  /** A fragment of a serialized ring message too large for one frame. */
  public record DeliverFragment(int sender, WireFragment fragment) implements Command {}

  /**
   * Applies the round's reduced gradient (every device of the ring holds the same one): the replica is
   * then at {@code step + 1}, and {@code committedState} is the training state that goes with it.
   */
  public record Commit(String runId, long round, long step, double learningRate, String committedState,
      ActorRef<TrainingDriver.Command> replyTo) implements Command {}

  /** Drops the round's reduced gradient without applying it (the step will be run again, or was only inspected). */
  public record Discard(String runId, long round) implements Command {}

  /** Writes weights and optimizer state as a checkpoint (training state is the driver's JSON). */
  public record SaveCheckpoint(String runId, String directory, long step, String trainingState,
      ActorRef<TrainingDriver.Command> replyTo) implements Command {}

  /** Sends this device's replica to {@code to} (a device that joined or restarted). */
  public record SendReplica(String runId, ActorRef<Command> to) implements Command {}

  /** A fragment of a replica being copied to this device. */
  public record ReplicaFragment(String runId, int part, int parts, WireFragment fragment) implements Command {}

  /** The run is over: this device's node shuts down (a node process exits when its system terminates). */
  public record Shutdown(String runId) implements Command {}

  /** Makes the link to the next device; tests wrap the real one to delay, duplicate or inject messages. */
  public interface LinkFactory {
    RingDevice.Outbox create(ActorContext<Command> context, RingDevice.Outbox link, int index);

    LinkFactory DIRECT = (context, link, index) -> link;
  }

  private enum Phase { UNCONFIGURED, SYNCING, IDLE, STEPPING, REDUCED }

  /** The replica this device holds, with the step it is at and the run state committed with it. */
  private record Held(String runId, ModelSpec spec, LlamaModel model, AdamW optimizer, long step, String state) {
    Held at(long newStep, String newState) {
      return new Held(runId, spec, model, optimizer, newStep, newState);
    }
  }

  private final StashBuffer<Command> stash;
  private final WorldringWire wire;
  private final LinkFactory links;
  private final DeviceFaults faults;
  private final io.worldring.actors.metrics.NodeMetrics metrics;
  private final double peakFlops; // FLOP/s one device could reach, for MFU
  private Phase phase = Phase.UNCONFIGURED;
  private Held held;
  private Configure configuring;
  private ReplicaTransfer.Assembly assembly;
  private String runId;
  private RingDevice device;
  private RingInbox inbox;
  private RingDevice.Outbox link;
  private boolean nextIsLocal;
  private Fragments.Reassembler fragments;
  private StartStep current;
  private long transfers;

  public static Behavior<Command> create() {
    return create(LinkFactory.DIRECT, DeviceFaults.NONE);
  }

  public static Behavior<Command> create(LinkFactory links) {
    return create(links, DeviceFaults.NONE);
  }

  /** A device restarted (with its state dropped) when its work throws; stopped after 20 failures a minute. */
  public static Behavior<Command> create(LinkFactory links, DeviceFaults faults) {
    Behavior<Command> device = Behaviors.withStash(256, stash -> Behaviors.setup(ctx -> new DeviceActor(ctx, stash, links, faults)));
    return Behaviors.supervise(device).onFailure(Exception.class, SupervisorStrategy.restart().withLimit(20, Duration.ofMinutes(1)));
  }

  private DeviceActor(ActorContext<Command> context, StashBuffer<Command> stash, LinkFactory links, DeviceFaults faults) {
    super(context);
    this.stash = stash;
    this.wire = WorldringWire.get(context.getSystem());
    this.links = links;
    this.faults = faults;
    this.metrics = io.worldring.actors.metrics.NodeMetrics.get(context.getSystem());
    this.peakFlops = context.getSystem().settings().config().getDouble("worldring.metrics.peak-flops-per-device");
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Probe.class, this::onProbe)
        .onMessage(Configure.class, this::onConfigure)
        .onMessage(SendReplica.class, this::onSendReplica)
        .onMessage(ReplicaFragment.class, this::onReplicaFragment)
        .onMessage(StartStep.class, this::onStartStep)
        .onMessage(Deliver.class, this::onDeliver)
        .onMessage(DeliverBytes.class, this::onDeliverBytes)
        .onMessage(DeliverFragment.class, this::onDeliverFragment)
        .onMessage(Commit.class, this::onCommit)
        .onMessage(Discard.class, this::onDiscard)
        .onMessage(SaveCheckpoint.class, this::onSaveCheckpoint)
        .onMessage(Shutdown.class, this::onShutdown)
        .build();
  }

  private Behavior<Command> onProbe(Probe p) {
    boolean mine = held != null && held.runId().equals(p.runId());
    p.replyTo().tell(new TrainingDriver.Probed(getContext().getSelf(), mine ? held.spec() : null, mine ? held.step() : -1,
        mine ? held.state() : ""));
    return this;
  }

  private Behavior<Command> onConfigure(Configure c) {
    // A new ring: whatever round was in flight is abandoned (the driver re-runs its step).
    phase = Phase.UNCONFIGURED;
    current = null;
    device = null;
    configuring = c;
    try {
      if (c.syncFrom() != null) {
        phase = Phase.SYNCING;
        assembly = new ReplicaTransfer.Assembly(wire.format(), wire.settings().maxMessageBytes());
        c.syncFrom().tell(new SendReplica(c.runId(), getContext().getSelf()));
        return this;
      }
      if (held == null || !held.runId().equals(c.runId()) || !held.spec().equals(c.spec())) {
        ModelSpec.Replica replica = (c.resumeCheckpoint().isEmpty() ? c.spec() : c.spec().resumingFrom(c.resumeCheckpoint())).build();
        held = new Held(c.runId(), c.spec(), replica.model(), replica.optimizer(), c.startStep(), c.startState());
      }
      return joinRing();
    } catch (RuntimeException e) {
      getContext().getLog().error("device {} cannot join the ring", c.index(), e);
      c.replyTo().tell(new TrainingDriver.DeviceFailed(c.runId(), c.index(), -1, describe(e)));
      held = null;
      return this;
    }
  }

  private Behavior<Command> onSendReplica(SendReplica s) {
    if (held == null || !held.runId().equals(s.runId())) {
      getContext().getLog().warn("asked for a replica of run {} this device does not hold", s.runId());
      return this;
    }
    for (ReplicaFragment f : ReplicaTransfer.fragments(held.runId(), held.model().config(), held.model().parameters(),
        held.optimizer(), held.step(), held.state(), wire.format(), wire.settings().fragmentBytes(), ++transfers)) {
      s.to().tell(f);
    }
    return this;
  }

  private Behavior<Command> onReplicaFragment(ReplicaFragment f) {
    if (phase != Phase.SYNCING || !f.runId().equals(configuring.runId())) {
      return this;
    }
    ReplicaTransfer.Received r = assembly.add(f);
    if (r == null) {
      return this;
    }
    ModelSpec spec = configuring.spec();
    LlamaModel model = new LlamaModel(r.config(), r.weights(), spec.computeOptions());
    AdamW adam = new AdamW(spec.optimizer(), r.firstMoment(), r.secondMoment(), r.optimizerStep());
    held = new Held(configuring.runId(), spec, model, adam, r.replicaStep(), r.committedState());
    assembly = null;
    getContext().getLog().info("device {} copied the replica at step {} from a peer", configuring.index(), r.replicaStep());
    return joinRing();
  }

  /** Builds this ring's device around the held replica and reports ready. */
  private Behavior<Command> joinRing() {
    Configure c = configuring;
    RingSchedule ring = new RingSchedule(c.ring().length, c.layout());
    runId = c.runId();
    device = new RingDevice(c.runId(), c.index(), ring, held.model(), held.optimizer());
    inbox = new RingInbox(new RingCursor(c.runId(), c.index(), ring, held.model().blocks().size()), wire.settings().inboxCapacity());
    RingLink direct = new RingLink(c.ring()[ring.next(c.index())], c.index(), wire.format(), wire.settings().fragmentBytes());
    nextIsLocal = direct.local();
    link = links.create(getContext(), direct, c.index());
    fragments = new Fragments.Reassembler(wire.settings().maxMessageBytes(), 4 * c.ring().length + 16);
    phase = Phase.IDLE;
    configuring = null;
    c.replyTo().tell(new TrainingDriver.DeviceReady(c.runId(), c.index(), device.parameterDigest(), nextIsLocal, held.step()));
    return stash.unstashAll(this);
  }

  private Behavior<Command> onStartStep(StartStep s) {
    if (phase != Phase.IDLE) {
      return phase == Phase.UNCONFIGURED || phase == Phase.SYNCING ? stashed(s) : this;
    }
    if (!s.runId().equals(runId)) {
      return this;
    }
    current = s;
    phase = Phase.STEPPING;
    inbox.cursor().startRound(s.round(), s.shards().length, s.logitRows() != null);
    compute(() -> {
      device.startRound(s.round(), s.shards(), s.blocks(), s.logitRows(), link);
      drain(null);
    });
    return this;
  }

  private Behavior<Command> onDeliver(Deliver d) {
    if (device == null) {
      return this; // no ring yet: a message of an abandoned round (steps start only once every device is ready)
    }
    compute(() -> drain(inbox.offer(d.message())));
    return this;
  }

  private Behavior<Command> onDeliverBytes(DeliverBytes d) {
    if (device == null) {
      return this; // no ring yet: a message of an abandoned round (steps start only once every device is ready)
    }
    compute(() -> drain(inbox.offer((RingMessage) wire.format().fromBytes(d.message()))));
    return this;
  }

  private Behavior<Command> onDeliverFragment(DeliverFragment f) {
    if (device == null) {
      return this; // no ring yet: a message of an abandoned round (steps start only once every device is ready)
    }
    compute(() -> {
      byte[] whole = fragments.add(Integer.toString(f.sender()), f.fragment());
      if (whole != null) {
        drain(inbox.offer((RingMessage) wire.format().fromBytes(whole)));
      }
    });
    return this;
  }

  private Behavior<Command> onCommit(Commit c) {
    if (phase != Phase.REDUCED || c.round() != device.round() || !c.runId().equals(runId)) {
      return this; // a commit of an abandoned round
    }
    long step = current == null ? c.step() : current.step();
    compute(() -> {
      double norm = device.apply(c.learningRate());
      held = held.at(c.step() + 1, c.committedState());
      phase = Phase.IDLE;
      faults.check(device.index(), step, DeviceFaults.Phase.AFTER_COMMIT);
      c.replyTo().tell(new TrainingDriver.Applied(runId, device.index(), c.round(), norm));
    });
    return stash.unstashAll(this);
  }

  private Behavior<Command> onDiscard(Discard d) {
    if (phase == Phase.REDUCED && d.round() == device.round() && d.runId().equals(runId)) {
      phase = Phase.IDLE;
      return stash.unstashAll(this);
    }
    return this;
  }

  private Behavior<Command> onSaveCheckpoint(SaveCheckpoint s) {
    if (phase != Phase.IDLE) {
      return stashed(s);
    }
    compute(() -> {
      var state = new ObjectMapper().readTree(s.trainingState());
      Checkpoint.save(Path.of(s.directory()), device.model().config(), device.model().parameters(), device.optimizer(), s.step(), state);
      s.replyTo().tell(new TrainingDriver.CheckpointSaved(runId, s.step(), s.directory(), null));
    });
    return this;
  }

  private Behavior<Command> onShutdown(Shutdown s) {
    boolean idle = runId == null && held == null; // never took part (an idle device of the cluster): it goes too
    if (idle || s.runId().equals(runId) || held != null && s.runId().equals(held.runId())) {
      getContext().getLog().info("run {} is over; shutting down this node", s.runId());
      getContext().getSystem().terminate();
    }
    return this;
  }

  /** Processes {@code first} (if it is the expected message) and every kept message whose turn follows. */
  private void drain(RingMessage first) {
    RingMessage m = first;
    while (true) {
      if (m == null) {
        m = inbox.takeCurrent();
        if (m == null) {
          break;
        }
      }
      if (current != null) {
        faults.check(device.index(), current.step(), phaseOf(m));
      }
      device.receive(m, link);
      inbox.cursor().advance();
      m = null;
    }
    if (phase == Phase.STEPPING && device.reduced()) {
      boolean inference = current.logitRows() != null;
      String name = getContext().getSelf().path().name();
      metrics.kvBytesSent.labelValues(name).inc(device.kvBytesSent());
      metrics.gradientBytesSent.labelValues(name).inc(device.gradientBytesSent());
      metrics.peakActivationBytes.labelValues(name).set(device.peakActivationBytes());
      metrics.deviceRounds.labelValues(name).inc();
      observeRound(name);
      phase = inference ? Phase.IDLE : Phase.REDUCED; // an inference round has nothing to apply
      current.replyTo().tell(new TrainingDriver.StepReduced(runId, device.index(), device.round(), device.lossSum(),
          device.kvBytesSent(), device.gradientBytesSent(), device.peakActivationBytes(), inbox.dropped(),
          current.gradients() ? names(device.gradients()) : null, current.gradients() ? values(device.gradients()) : null,
          inference ? device.logits() : null, device.clock().overlapRatio()));
    }
  }

  /** Where the round's time went, and the model FLOP utilisation it reached. */
  private void observeRound(String name) {
    RoundClock clock = device.clock();
    for (int i = 0; i < clock.hops(); i++) {
      metrics.hopCompute.labelValues(name).observe(clock.hopComputeSeconds(i));
      metrics.hopWait.labelValues(name).observe(clock.hopWaitSeconds(i));
    }
    metrics.overlapRatio.labelValues(name).set(clock.overlapRatio());
    metrics.gradientReduction.labelValues(name).observe(clock.reductionSeconds());
    metrics.kvBytesReceived.labelValues(name).inc(device.kvBytesReceived());
    if (clock.roundSeconds() > 0) {
      metrics.deviceMfu.labelValues(name).set(device.roundFlops() / clock.roundSeconds() / peakFlops);
    }
  }

  private static DeviceFaults.Phase phaseOf(RingMessage m) {
    if (m instanceof KvBlock) {
      return DeviceFaults.Phase.FORWARD_HOP;
    }
    return m instanceof KvGradBlock ? DeviceFaults.Phase.BACKWARD_HOP : DeviceFaults.Phase.GRADIENT_REDUCTION;
  }

  private interface Work {
    void run() throws Exception;
  }

  /**
   * Runs device work. A failure is reported to the driver, then rethrown so this actor's supervision
   * restarts it with no state: a half-applied update or a corrupt inbox must not survive.
   */
  private void compute(Work work) {
    try {
      work.run();
    } catch (Exception e) {
      int index = device == null ? -1 : device.index();
      long round = device == null ? -1 : device.round();
      getContext().getLog().error("device {} failed in round {}; restarting it", index, round, e);
      ActorRef<TrainingDriver.Command> driver = current != null ? current.replyTo() : null;
      if (driver != null) {
        driver.tell(new TrainingDriver.DeviceFailed(runId, index, round, describe(e)));
      }
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
  }

  private Behavior<Command> stashed(Command c) {
    if (stash.isFull()) {
      getContext().getLog().warn("device stash full; dropping {}", c.getClass().getSimpleName());
    } else {
      stash.stash(c);
    }
    return this;
  }

  private static String describe(Exception e) {
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private static String[] names(Parameters p) {
    return p.names().toArray(new String[0]);
  }

  private static TensorPayload[] values(Parameters p) {
    return p.asMap().values().stream().map(t -> TensorPayload.of(t.dup('c'))).toArray(TensorPayload[]::new);
  }
}

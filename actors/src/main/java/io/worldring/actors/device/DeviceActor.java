package io.worldring.actors.device;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.actors.driver.TrainingDriver;
import io.worldring.actors.wire.WorldringWire;
import io.worldring.model.Parameters;
import io.worldring.model.attention.TokenBlock;
import io.worldring.model.io.Checkpoint;
import io.worldring.model.train.TrainingSequence;
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
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
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
 * <p>Flow control is hop by hop: a device forwards a block only after it has received it, and cannot
 * finish a layer before every device has produced that layer's block, so no device runs more than one
 * layer ahead of another and a link never carries more than 2(n-1) blocks at once. Artery's queues
 * (reference.conf) are sized above that.
 */
public final class DeviceActor extends AbstractBehavior<DeviceActor.Command> {
  public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "worldring-device");

  public sealed interface Command extends WireMessage
      permits Configure, StartStep, Deliver, DeliverBytes, DeliverFragment, Commit, Discard, SaveCheckpoint, Shutdown {}

  /** Joins a ring as device {@code index} of {@code ring} and builds the replica. */
  public record Configure(String runId, int index, ActorRef<Command>[] ring, SequenceLayout layout, ModelSpec spec,
      ActorRef<TrainingDriver.Command> replyTo) implements Command {}

  /**
   * Begins a round (one attempt at a step; rounds never repeat): this device's part of each sequence,
   * and every device's token positions per sequence. With {@code gradients}, the reduced gradient is
   * included in the report.
   */
  public record StartStep(String runId, long round, TrainingSequence[] shards, TokenBlock[][] blocks, boolean gradients,
      ActorRef<TrainingDriver.Command> replyTo) implements Command {}

  /** A ring message from the previous device in this JVM. */
  public record Deliver(RingMessage message) implements Command {}

  /** A serialized ring message from the previous device in another JVM. */
  public record DeliverBytes(int sender, byte[] message) implements Command {}

  /** A fragment of a serialized ring message too large for one frame. */
  public record DeliverFragment(int sender, WireFragment fragment) implements Command {}

  /** Applies the step's reduced gradient (every device of the ring holds the same one). */
  public record Commit(String runId, long round, double learningRate, ActorRef<TrainingDriver.Command> replyTo) implements Command {}

  /** Drops the round's reduced gradient without applying it (the step will be run again, or was only inspected). */
  public record Discard(String runId, long round) implements Command {}

  /** Writes weights and optimizer state as a checkpoint (training state is the driver's JSON). */
  public record SaveCheckpoint(String runId, String directory, long step, String trainingState,
      ActorRef<TrainingDriver.Command> replyTo) implements Command {}

  /** Makes the link to the next device; tests wrap the real one to delay, duplicate or inject messages. */
  public interface LinkFactory {
    RingDevice.Outbox create(ActorContext<Command> context, RingDevice.Outbox link, int index);

    LinkFactory DIRECT = (context, link, index) -> link;
  }

  /** The run is over: this device's node shuts down (a node process exits when its system terminates). */
  public record Shutdown(String runId) implements Command {}

  private enum Phase { UNCONFIGURED, IDLE, STEPPING, REDUCED }

  private final StashBuffer<Command> stash;
  private final WorldringWire wire;
  private final LinkFactory links;
  private Phase phase = Phase.UNCONFIGURED;
  private String runId;
  private RingDevice device;
  private RingInbox inbox;
  private RingDevice.Outbox link;
  private boolean nextIsLocal;
  private Fragments.Reassembler fragments;
  private StartStep current;

  public static Behavior<Command> create() {
    return create(LinkFactory.DIRECT);
  }

  public static Behavior<Command> create(LinkFactory links) {
    return Behaviors.withStash(64, stash -> Behaviors.setup(ctx -> new DeviceActor(ctx, stash, links)));
  }

  private DeviceActor(ActorContext<Command> context, StashBuffer<Command> stash, LinkFactory links) {
    super(context);
    this.stash = stash;
    this.wire = WorldringWire.get(context.getSystem());
    this.links = links;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Configure.class, this::onConfigure)
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

  private Behavior<Command> onConfigure(Configure c) {
    try {
      ModelSpec.Replica replica = c.spec().build();
      RingSchedule ring = new RingSchedule(c.ring().length, c.layout());
      runId = c.runId();
      device = new RingDevice(c.runId(), c.index(), ring, replica.model(), replica.optimizer());
      inbox = new RingInbox(new RingCursor(c.runId(), c.index(), ring, replica.model().blocks().size()), wire.settings().inboxCapacity());
      RingLink direct = new RingLink(c.ring()[ring.next(c.index())], c.index(), wire.format(), wire.settings().fragmentBytes());
      nextIsLocal = direct.local();
      link = links.create(getContext(), direct, c.index());
      fragments = new Fragments.Reassembler(wire.settings().maxMessageBytes(), 4 * c.ring().length + 16);
      phase = Phase.IDLE;
      c.replyTo().tell(new TrainingDriver.DeviceReady(c.runId(), c.index(), device.parameterDigest(), nextIsLocal));
    } catch (RuntimeException e) {
      getContext().getLog().error("device {} cannot join the ring", c.index(), e);
      c.replyTo().tell(new TrainingDriver.DeviceFailed(c.runId(), c.index(), -1, describe(e)));
    }
    return stash.unstashAll(this);
  }

  private Behavior<Command> onStartStep(StartStep s) {
    if (phase != Phase.IDLE) {
      return stashed(s);
    }
    current = s;
    phase = Phase.STEPPING;
    inbox.cursor().startRound(s.round(), s.shards().length);
    compute(() -> {
      device.startRound(s.round(), s.shards(), s.blocks(), link);
      drain(null);
    });
    return this;
  }

  private Behavior<Command> onDeliver(Deliver d) {
    if (phase == Phase.UNCONFIGURED) {
      return stashed(d);
    }
    compute(() -> drain(inbox.offer(d.message())));
    return this;
  }

  private Behavior<Command> onDeliverBytes(DeliverBytes d) {
    if (phase == Phase.UNCONFIGURED) {
      return stashed(d);
    }
    compute(() -> drain(inbox.offer((RingMessage) wire.format().fromBytes(d.message()))));
    return this;
  }

  private Behavior<Command> onDeliverFragment(DeliverFragment f) {
    if (phase == Phase.UNCONFIGURED) {
      return stashed(f);
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
      return c.round() > device.round() ? stashed(c) : this;
    }
    compute(() -> {
      double norm = device.apply(c.learningRate());
      phase = Phase.IDLE;
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
      s.replyTo().tell(new TrainingDriver.CheckpointSaved(runId, s.step(), s.directory()));
    });
    return this;
  }

  private Behavior<Command> onShutdown(Shutdown s) {
    if (s.runId().equals(runId)) {
      getContext().getLog().info("run {} is over; shutting down this node", runId);
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
      device.receive(m, link);
      inbox.cursor().advance();
      m = null;
    }
    if (phase == Phase.STEPPING && device.reduced()) {
      phase = Phase.REDUCED;
      current.replyTo().tell(new TrainingDriver.StepReduced(runId, device.index(), device.round(), device.lossSum(),
          device.kvBytesSent(), device.gradientBytesSent(), device.peakActivationBytes(), inbox.dropped(),
          current.gradients() ? names(device.gradients()) : null, current.gradients() ? values(device.gradients()) : null));
      current = null;
    }
  }

  private interface Work {
    void run() throws Exception;
  }

  /** Runs device work; a failure is reported to the driver instead of stopping the actor. */
  private void compute(Work work) {
    try {
      work.run();
    } catch (Exception e) {
      getContext().getLog().error("device {} failed in round {}", device == null ? -1 : device.index(), device == null ? -1 : device.round(), e);
      ActorRef<TrainingDriver.Command> driver = current != null ? current.replyTo() : null;
      if (driver != null) {
        driver.tell(new TrainingDriver.DeviceFailed(runId, device.index(), device.round(), describe(e)));
      }
      phase = Phase.IDLE;
      current = null;
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

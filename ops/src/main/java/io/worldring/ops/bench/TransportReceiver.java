package io.worldring.ops.bench;

import io.worldring.actors.device.DeviceActor;
import io.worldring.actors.wire.WorldringWire;
import io.worldring.model.NativeMemory;
import io.worldring.ring.KvBlock;
import io.worldring.ring.wire.Fragments;
import java.nio.ByteBuffer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The receiving end of `bench transport`: takes key/value blocks as a device does from a neighbour in
 * another JVM (whole, or as fragments to reassemble), decodes them to arrays, frees them, and answers each
 * with the bytes of the arrays it decoded, so the sender knows the block arrived whole.
 */
public final class TransportReceiver extends AbstractBehavior<DeviceActor.Command> {
  /** Sender id of the Artery-only baseline: its messages are counted, not decoded. */
  static final int RAW = -1;

  private final WorldringWire wire;
  private final Fragments.Reassembler fragments;
  private final ActorRef<DeviceActor.Command> replyTo;

  public static Behavior<DeviceActor.Command> create(ActorRef<DeviceActor.Command> replyTo) {
    return Behaviors.setup(ctx -> new TransportReceiver(ctx, replyTo));
  }

  private TransportReceiver(ActorContext<DeviceActor.Command> context, ActorRef<DeviceActor.Command> replyTo) {
    super(context);
    this.wire = WorldringWire.get(context.getSystem());
    this.fragments = new Fragments.Reassembler(wire.settings().maxMessageBytes(), 16);
    this.replyTo = replyTo;
  }

  @Override
  public Receive<DeviceActor.Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(DeviceActor.DeliverBytes.class, d -> d.sender() == RAW ? counted(d.message()) : received(d.message()))
        .onMessage(DeviceActor.DeliverFragment.class, this::onFragment)
        .build();
  }

  private Behavior<DeviceActor.Command> onFragment(DeviceActor.DeliverFragment f) {
    byte[] whole = fragments.add(Integer.toString(f.sender()), f.fragment());
    if (whole == null) {
      return this;
    }
    return f.sender() == RAW ? counted(whole) : received(whole);
  }

  private Behavior<DeviceActor.Command> counted(byte[] message) {
    replyTo.tell(new DeviceActor.DeliverBytes(0, ByteBuffer.allocate(Long.BYTES).putLong(message.length).array()));
    return this;
  }

  private Behavior<DeviceActor.Command> received(byte[] message) {
    KvBlock block = (KvBlock) wire.format().fromBytes(message);
    long bytes = NativeMemory.bytes(block.k().array(), block.v().array());
    NativeMemory.release(block.k().array(), block.v().array());
    replyTo.tell(new DeviceActor.DeliverBytes(0, ByteBuffer.allocate(Long.BYTES).putLong(bytes).array()));
    return this;
  }
}

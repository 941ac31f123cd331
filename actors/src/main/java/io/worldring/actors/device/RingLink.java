package io.worldring.actors.device;

import io.worldring.model.NativeMemory;
import io.worldring.ring.GradChunk;
import io.worldring.ring.KvBlock;
import io.worldring.ring.KvGradBlock;
import io.worldring.ring.RingMessage;
import io.worldring.ring.TensorPayload;
import io.worldring.ring.wire.Fragments;
import io.worldring.ring.wire.WireFormat;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The link from a device to the next one. In the same JVM a message goes by reference (the payload
 * arrays are handed over). To another JVM it is serialized here, at once, and its arrays freed; a
 * message larger than a transport frame goes as bounded fragments. Serializing here, not in Artery's
 * stream, keeps ND4J arrays from being read after their owner moved on. Public so that `worldring bench
 * transport` measures this very path.
 */
public final class RingLink implements RingDevice.Outbox {
  private final ActorRef<DeviceActor.Command> next;
  private final int sender;
  private final boolean local;
  private final WireFormat format;
  private final int fragmentBytes;
  private long transfers;

  public RingLink(ActorRef<DeviceActor.Command> next, int sender, WireFormat format, int fragmentBytes) {
    this.next = next;
    this.sender = sender;
    this.local = next.path().address().hasLocalScope();
    this.format = format;
    this.fragmentBytes = fragmentBytes;
  }

  boolean local() {
    return local;
  }

  /** The next device (for `bench transport`'s baseline of the same messages without this link's codec). */
  public ActorRef<DeviceActor.Command> nextRef() {
    return next;
  }

  @Override
  public void sendNext(RingMessage message) {
    if (local) {
      next.tell(new DeviceActor.Deliver(message));
      return;
    }
    // Fragments are cut straight from the serialization buffer: no whole-message copy in between.
    List<DeviceActor.Command> out = format.withBytes(message, (bytes, length) -> length <= fragmentBytes
        ? List.of(new DeviceActor.DeliverBytes(sender, Arrays.copyOf(bytes, length)))
        : Fragments.split(bytes, length, fragmentBytes, transfers++).stream()
            .<DeviceActor.Command>map(f -> new DeviceActor.DeliverFragment(sender, f)).toList());
    release(message);
    out.forEach(next::tell);
  }

  private static void release(RingMessage m) {
    if (m instanceof KvBlock b) {
      release(b.k(), b.v());
    } else if (m instanceof KvGradBlock b) {
      release(b.k(), b.v(), b.dk(), b.dv());
    } else {
      release(((GradChunk) m).values());
    }
  }

  private static void release(TensorPayload... payloads) {
    for (TensorPayload p : payloads) {
      if (p != null) {
        NativeMemory.release(p.array());
      }
    }
  }
}

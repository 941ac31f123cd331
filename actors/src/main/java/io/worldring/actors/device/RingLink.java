package io.worldring.actors.device;

import io.worldring.model.NativeMemory;
import io.worldring.ring.GradChunk;
import io.worldring.ring.KvBlock;
import io.worldring.ring.KvGradBlock;
import io.worldring.ring.RingMessage;
import io.worldring.ring.TensorPayload;
import io.worldring.ring.wire.Fragments;
import io.worldring.ring.wire.WireFormat;
import io.worldring.ring.wire.WireFragment;
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

  @Override
  public void sendNext(RingMessage message) {
    if (local) {
      next.tell(new DeviceActor.Deliver(message));
      return;
    }
    byte[] bytes = format.toBytes(message);
    release(message);
    if (bytes.length <= fragmentBytes) {
      next.tell(new DeviceActor.DeliverBytes(sender, bytes));
      return;
    }
    for (WireFragment f : Fragments.split(bytes, fragmentBytes, transfers++)) {
      next.tell(new DeviceActor.DeliverFragment(sender, f));
    }
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

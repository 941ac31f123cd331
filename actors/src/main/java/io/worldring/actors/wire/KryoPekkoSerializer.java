package io.worldring.actors.wire;

import io.worldring.ring.wire.WireFormat;
import org.apache.pekko.actor.ExtendedActorSystem;
import java.nio.ByteBuffer;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.ByteBufferSerializer;
import org.apache.pekko.serialization.JSerializer;

/**
 * Pekko's serializer for every {@link io.worldring.ring.WireMessage}: Kryo with registration required
 * ({@link WireFormat}). Java serialization is switched off, so nothing else crosses the wire. Artery hands
 * it its own buffers ({@link ByteBufferSerializer}): a message is written into and read out of the frame in
 * place, which saves a large message two copies on the way out and one on the way in.
 */
public final class KryoPekkoSerializer extends JSerializer implements ByteBufferSerializer {
  /** Fixed serializer id shared by every node. */
  public static final int IDENTIFIER = 494_955;

  private final ExtendedActorSystem system;
  private volatile WireFormat format;

  public KryoPekkoSerializer(ExtendedActorSystem system) {
    this.system = system;
  }

  private WireFormat format() {
    WireFormat f = format;
    if (f == null) { // the extension needs the system started, which it is not while serializers are created
      f = WorldringWire.get(Adapter.toTyped(system)).format();
      format = f;
    }
    return f;
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public boolean includeManifest() {
    return false;
  }

  @Override
  public byte[] toBinary(Object o) {
    return format().toBytes(o);
  }

  @Override
  public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
    return format().fromBytes(bytes);
  }

  @Override
  public void toBinary(Object o, ByteBuffer buf) {
    format().write(o, buf);
  }

  @Override
  public Object fromBinary(ByteBuffer buf, String manifest) {
    return format().read(buf);
  }
}

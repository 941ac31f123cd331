package io.worldring.actors;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.io.Output;
import com.typesafe.config.ConfigFactory;
import io.worldring.actors.device.DeviceActor;
import io.worldring.actors.driver.TrainingDriver;
import io.worldring.actors.wire.WorldringWire;
import io.worldring.model.fuzz.CleanFailure;
import io.worldring.ring.wire.WireFormat;
import java.util.Arrays;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Actor-layer messages a hostile peer might craft: refused before anything of the size they claim is allocated. */
class ActorWireHostileTest {
  static final ActorTestKit KIT = ActorTestKit.create("wire-hostile", ConfigFactory.parseString("pekko.actor.provider = local"));

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  @Test
  void aHugeActorPathIsRefusedBeforeAllocating() {
    WireFormat format = WorldringWire.get(KIT.system()).format();
    ActorRef<DeviceActor.Command> ref = KIT.<DeviceActor.Command>createTestProbe().ref();
    byte[] message = format.toBytes(new TrainingDriver.DeviceTerminated(ref));
    // The path goes as a UTF-8 string (it is over 32 characters): its character count, then the characters.
    String path = ActorRefResolver.get(KIT.system()).toSerializationFormat(ref);
    Output written = new Output(256);
    written.writeVarIntFlag(true, path.length() + 1, true);
    written.writeAscii(path);
    int at = indexOf(message, Arrays.copyOf(written.toBytes(), written.position() - 1));
    assertTrue(at > 0, "the path is in the message");
    Output count = new Output(8);
    count.writeVarIntFlag(true, Integer.MAX_VALUE, true); // 2^31 - 2 characters
    System.arraycopy(count.toBytes(), 0, message, at, count.position());
    WireFormat.WireException e = CleanFailure.refused(WireFormat.WireException.class, null, 8L << 20, () -> format.fromBytes(message));
    assertTrue(e.getMessage().contains("string length 2147483646"), e.getMessage());
  }

  @Test
  void hugeActorArraysAreRefusedBeforeAllocating() {
    WireFormat format = WorldringWire.get(KIT.system()).format();
    for (int id : new int[] {101, 102, 103, 104, 105}) { // ActorRef[], String[], TensorPayload[], TokenBlock[][], float[][]
      Output out = new Output(16);
      out.writeVarInt(id + 2, true);
      out.writeVarInt(1 << 30, true);
      out.writeBytes(new byte[8]);
      WireFormat.WireException e = CleanFailure.refused(WireFormat.WireException.class, null, 8L << 20, () -> format.fromBytes(out.toBytes()));
      assertTrue(e.getMessage().contains("longer than the message"), e.getMessage());
    }
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }
}

package io.worldring.ring.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import io.worldring.model.attention.TokenBlock;
import io.worldring.model.fuzz.CleanFailure;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.KvBlock;
import io.worldring.ring.TensorPayload;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Byte arrays a hostile or broken peer might send: each is refused with a {@link WireFormat.WireException}
 * that says what is wrong, before anything of the size it claims is allocated.
 */
class HostileWireTest {
  static final WireFormat FORMAT = new WireFormat(TensorPayload.WireType.FP32, 1 << 20, List.of());
  /** Far less than any of the lengths claimed below would take. */
  static final long ALLOCATION_LIMIT = 8L << 20;

  static WireFormat.WireException refused(byte[] message, String... parts) {
    WireFormat.WireException e = CleanFailure.refused(WireFormat.WireException.class, null, ALLOCATION_LIMIT, () -> FORMAT.fromBytes(message));
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
    }
    return e;
  }

  /** Bytes written with Kryo's own encodings. */
  static byte[] bytes(Consumer<Output> write) {
    Output out = new Output(64, -1);
    write.accept(out);
    return out.toBytes();
  }

  /** A class id as Kryo writes it before an object (id + 2; 0 is null, 1 a reference). */
  static void classId(Output out, int id) {
    out.writeVarInt(id + 2, true);
  }

  @Test
  void unregisteredClassIdsAreRefused() {
    refused(bytes(o -> classId(o, 200)), "unregistered class ID: 200");
    refused(bytes(o -> classId(o, 120)), "unregistered class ID: 120"); // the actor layer's, not registered here
    refused(bytes(o -> o.writeVarInt(-1, true)), "unregistered");
  }

  @Test
  void classesGivenByNameAreRefused() {
    // Kryo's class-by-name encoding (1, a name id, the name): it would load the class named and keep the id.
    refused(bytes(o -> {
      o.writeVarInt(1, true);
      o.writeVarInt(5, true);
      o.writeString("java.util.ArrayList");
    }), "only registered class ids");
    refused(bytes(o -> {
      o.writeVarInt(1, true);
      o.writeVarInt(6, true);
      o.writeVarIntFlag(true, Integer.MAX_VALUE, true); // a 2 GiB name
    }), "only registered class ids");
  }

  @Test
  void hugeArrayLengthsAreRefusedBeforeAllocating() {
    int[] ids = {10, 11, 12, 13, 14, 15}; // byte[], int[], long[], float[], double[], boolean[]
    for (int id : ids) {
      for (int length : new int[] {Integer.MAX_VALUE, 1 << 30, 1 << 20}) {
        refused(bytes(o -> {
          classId(o, id);
          o.writeVarInt(length, true); // length + 1
          o.writeBytes(new byte[16]);
        }), "longer than the message");
      }
      refused(bytes(o -> {
        classId(o, id);
        o.writeVarInt(-5, true);
      }), "negative array length");
    }
  }

  @Test
  void hugeObjectArrayLengthsAreRefusedBeforeAllocating() {
    for (int id : new int[] {31, 33}) { // TokenBlock[], TrainingSequence[]
      refused(bytes(o -> {
        classId(o, id);
        o.writeVarInt(1 << 30, true);
        o.writeBytes(new byte[16]);
      }), "longer than the message");
      refused(bytes(o -> {
        classId(o, id);
        o.writeVarInt(-2, true);
      }), "negative array length");
    }
  }

  @Test
  void hugeStringLengthsAreRefusedBeforeAllocating() {
    // A string as the message itself (Kryo's id 1), UTF-8 with a character count of 2^31 - 2 in a 7-byte message.
    refused(bytes(o -> {
      classId(o, 1);
      o.writeVarIntFlag(true, Integer.MAX_VALUE, true);
    }), "string length 2147483646 is negative or longer than the message");
    // The run id inside a KvBlock: Kryo would allocate the characters first, 4 GiB of them.
    byte[] valid = FORMAT.toBytes(new KvBlock("RUNIDMARK", 1, 0, 0, 1, 0, null, null));
    byte[] ascii = "RUNIDMAR".getBytes(StandardCharsets.US_ASCII);
    int at = indexOf(valid, ascii);
    assertTrue(at > 0, "the run id is where the record serializer puts it");
    byte[] hostile = valid.clone();
    byte[] count = bytes(o -> o.writeVarIntFlag(true, Integer.MAX_VALUE, true));
    System.arraycopy(count, 0, hostile, at, count.length);
    refused(hostile, "string length 2147483646");
    // A negative count (a five-byte varint with the top bits set).
    refused(bytes(o -> {
      classId(o, 1);
      o.writeVarIntFlag(true, -7, true);
    }), "string length -8 is negative");
  }

  @Test
  void hugeTensorShapesAreRefused() {
    // 2^62 + 1 = 5 * 5581 * 8681 * 49477 * 384773 elements of 4 bytes: 2^64 + 4, which a long holds as 4.
    long[] dims = {5, 5581, 8681, 49477, 384773};
    refused(tensor(0, dims, 4, new byte[4]), "over 2 GiB");
    refused(tensor(0, new long[] {1L << 31}, 4, new byte[4]), "out of range");
    refused(tensor(0, new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 0, new byte[0]), "rank 9");
    refused(tensor(0, new long[] {1 << 20, 1 << 10}, 1 << 30, new byte[16]), "needs over 2 GiB");
    refused(tensor(2, new long[] {1 << 20}, 8 << 20, new byte[16]), "longer than the message"); // FP64, 8 MiB claimed
    refused(tensor(7, new long[] {1}, 4, new byte[4]), "unknown tensor element type 7");
    // What the old overflow let through is decodable now: a degenerate shape with a zero dimension.
    TensorPayload empty = (TensorPayload) FORMAT.fromBytes(tensor(0, new long[] {Integer.MAX_VALUE, Integer.MAX_VALUE, 0}, 0, new byte[0]));
    assertEquals(0, empty.elements());
  }

  /** A TensorPayload (id 20) of element type {@code type}, shape {@code dims}, a stated byte count and the bytes. */
  static byte[] tensor(int type, long[] dims, int length, byte[] data) {
    return bytes(o -> {
      classId(o, 20);
      o.writeByte(type);
      o.writeVarInt(dims.length, true);
      for (long d : dims) {
        o.writeVarLong(d, true);
      }
      o.writeVarInt(length, true);
      o.writeBytes(data);
    });
  }

  @Test
  void hostileFragmentsAreRefusedBeforeAllocating() {
    Fragments.Reassembler r = new Fragments.Reassembler(1 << 20, 4);
    // Two billion empty fragments of an empty message: the reassembler would keep a flag per fragment.
    WireFragment many = (WireFragment) FORMAT.fromBytes(FORMAT.toBytes(new WireFragment(1, 0, Integer.MAX_VALUE, 0, new byte[0])));
    IllegalArgumentException e = CleanFailure.refused(IllegalArgumentException.class, null, ALLOCATION_LIMIT, () -> r.add("peer", many));
    assertTrue(e.getMessage().contains("at most one fragment per byte"), e.getMessage());
    CleanFailure.refused(IllegalArgumentException.class, "1048576", ALLOCATION_LIMIT,
        () -> r.add("peer", new WireFragment(2, 0, 2, Integer.MAX_VALUE, new byte[4])));
    CleanFailure.refused(IllegalArgumentException.class, "bytes present", ALLOCATION_LIMIT,
        () -> r.add("peer", new WireFragment(3, 0, 1, 0, null)));
    CleanFailure.refused(IllegalArgumentException.class, "fragment 5/4", ALLOCATION_LIMIT,
        () -> r.add("peer", new WireFragment(4, 5, 4, 100, new byte[25])));
    assertEquals(0, r.openTransfers(), "nothing was kept of the refused fragments");
    // The limits still let every real split through, including a one-byte and an empty message.
    for (int size : new int[] {0, 1, 2, 3, 1000, 4096}) {
      byte[] msg = new byte[size];
      Arrays.fill(msg, (byte) 7);
      byte[] whole = null;
      for (WireFragment f : Fragments.split(msg, 1000, size)) {
        whole = r.add("peer", f);
      }
      assertNotNull(whole, "a message of " + size + " bytes reassembles");
      assertEquals(size, whole.length);
    }
  }

  @Test
  void truncatedMessagesAreRefused() {
    Nd4j.getRandom().setSeed(3);
    byte[] valid = FORMAT.toBytes(new TrainingSequence[] {
        TrainingSequence.causal(new int[] {1, 2, 3, 4}, new boolean[] {false, true, true, false}),
        new TrainingSequence(new int[] {5}, new int[] {6}, new float[] {1f}, new int[] {0}, null)});
    for (int n = 0; n < valid.length; n++) {
      refused(Arrays.copyOf(valid, n));
    }
    byte[] kv = FORMAT.toBytes(new KvBlock("r", 1, 0, 0, 1, 0, TensorPayload.of(Nd4j.rand(DataType.FLOAT, 2, 3)), null));
    for (int n = 0; n < kv.length; n++) {
      refused(Arrays.copyOf(kv, n));
    }
    refused(Arrays.copyOf(kv, kv.length + 1), "1 trailing bytes");
  }

  @Test
  void recordsThatTheirConstructorRejectsAreRefused() {
    byte[] valid = FORMAT.toBytes(new TokenBlock(new int[] {1, 2}, new int[] {0, 0}));
    byte[] hostile = valid.clone();
    // positions (2 ints) then segments: claim one segment instead of two, and drop the last 4 bytes.
    int segments = valid.length - 9;
    assertEquals(3, valid[segments], "segments' length prefix (2 + 1)");
    hostile[segments] = 2;
    refused(Arrays.copyOf(hostile, valid.length - 4), "differ in length");
  }

  @Test
  void everyRegisteredSerializerBoundsWhatItReads() {
    Kryo kryo = new Kryo(new WireFormat.RegisteredIdsOnly(), null);
    kryo.setRegistrationRequired(true);
    WireFormat.registerRing(kryo, TensorPayload.WireType.FP32);
    WireFormat.requireBoundedSerializers(kryo);
    kryo.register(java.util.ArrayList.class, 90); // Kryo's CollectionSerializer: new ArrayList(length from the wire)
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> WireFormat.requireBoundedSerializers(kryo));
    assertTrue(e.getMessage().contains("java.util.ArrayList (id 90)"), e.getMessage());
    Kryo strings = new Kryo(new WireFormat.RegisteredIdsOnly(), null);
    assertThrows(IllegalStateException.class, () -> WireFormat.requireBoundedSerializers(strings), "Kryo's own String serializer");
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

package io.worldring.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.attention.TokenBlock;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.wire.Fragments;
import io.worldring.ring.wire.WireFormat;
import io.worldring.ring.wire.WireFragment;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class WireFormatTest {
  static final WireFormat FP32 = new WireFormat(TensorPayload.WireType.FP32, 64 << 20, List.of());
  static final WireFormat BF16 = new WireFormat(TensorPayload.WireType.BF16, 64 << 20, List.of());

  static TensorPayload tensor(long seed, long... shape) {
    Nd4j.getRandom().setSeed(seed);
    return TensorPayload.of(Nd4j.randn(DataType.FLOAT, shape));
  }

  static void assertSameTensor(TensorPayload a, TensorPayload b) {
    if (a == null) {
      assertNull(b);
      return;
    }
    assertArrayEquals(a.shape(), b.shape());
    assertEquals(a.array(), b.array());
  }

  @Test
  void everyRingMessageRoundTrips() {
    KvBlock kv = new KvBlock("run-1", 7, 1, 3, 2, 5, tensor(1, 2, 4, 8), tensor(2, 2, 4, 8));
    KvBlock kv2 = (KvBlock) FP32.fromBytes(FP32.toBytes(kv));
    assertEquals(List.of(kv.runId(), kv.round(), kv.sequence(), kv.layer(), kv.hop(), kv.source()),
        List.of(kv2.runId(), kv2.round(), kv2.sequence(), kv2.layer(), kv2.hop(), kv2.source()));
    assertSameTensor(kv.k(), kv2.k());
    assertSameTensor(kv.v(), kv2.v());

    KvGradBlock g = new KvGradBlock("run-1", 7, 0, 1, 4, 0, null, null, tensor(3, 1, 2, 8), tensor(4, 1, 2, 8));
    KvGradBlock g2 = (KvGradBlock) FP32.fromBytes(FP32.toBytes(g));
    assertEquals(g.hop(), g2.hop());
    assertSameTensor(g.k(), g2.k());
    assertSameTensor(g.dk(), g2.dk());
    assertSameTensor(g.dv(), g2.dv());

    GradChunk c = new GradChunk("r", 3, GradChunk.ALL_GATHER, 1, 2, tensor(5, 1000));
    GradChunk c2 = (GradChunk) FP32.fromBytes(FP32.toBytes(c));
    assertEquals(List.of(c.phase(), c.hop(), c.chunk()), List.of(c2.phase(), c2.hop(), c2.chunk()));
    assertSameTensor(c.values(), c2.values());

    WireFragment f = new WireFragment(9, 1, 3, 10, new byte[] {1, 2, 3});
    WireFragment f2 = (WireFragment) FP32.fromBytes(FP32.toBytes(f));
    assertEquals(List.of(9L, 1, 3, 10), List.of(f2.transferId(), f2.index(), f2.count(), f2.totalBytes()));
    assertArrayEquals(f.bytes(), f2.bytes());

    TrainingSequence seq = new TrainingSequence(new int[] {1, 2}, new int[] {2, 3}, new float[] {0.5f, 0f}, new int[] {0, 1}, null);
    TrainingSequence seq2 = (TrainingSequence) FP32.fromBytes(FP32.toBytes(seq));
    assertArrayEquals(seq.tokens(), seq2.tokens());
    assertArrayEquals(seq.weights(), seq2.weights());
    assertNull(seq2.segments());
    assertNull(seq2.visionInputs());
    assertNull(seq2.visionTargets());
    TrainingSequence vision = TrainingSequence.causal(new int[] {7, 3, 5, 9}, new boolean[] {false, true, true, false});
    TrainingSequence vision2 = ((TrainingSequence[]) FP32.fromBytes(FP32.toBytes(new TrainingSequence[] {vision})))[0];
    assertArrayEquals(vision.tokens(), vision2.tokens());
    assertArrayEquals(vision.targets(), vision2.targets());
    assertArrayEquals(new boolean[] {false, true, true}, vision2.visionInputs());
    assertArrayEquals(new boolean[] {true, true, false}, vision2.visionTargets());
    TrainingSequence half = (TrainingSequence) FP32.fromBytes(FP32.toBytes(vision.withVision(vision.visionInputs(), null)));
    assertArrayEquals(vision.visionInputs(), half.visionInputs());
    assertNull(half.visionTargets());
    TokenBlock[] blocks = {new TokenBlock(new int[] {0, 1}, new int[] {4, 4})};
    assertEquals(blocks[0], ((TokenBlock[]) FP32.fromBytes(FP32.toBytes(blocks)))[0]);
    assertEquals(SequenceLayout.ZIGZAG, FP32.fromBytes(FP32.toBytes(SequenceLayout.ZIGZAG)));
  }

  @Test
  void doublePrecisionTensorsStayDouble() {
    INDArray d = Nd4j.create(new double[] {Math.PI, -1e-300}, new long[] {2}, DataType.DOUBLE);
    GradChunk c = (GradChunk) FP32.fromBytes(FP32.toBytes(new GradChunk("r", 0, 0, 0, 0, TensorPayload.of(d))));
    assertEquals(DataType.DOUBLE, c.values().array().dataType());
    assertEquals(d, c.values().array());
  }

  @Test
  void bf16TransportHalvesTheBytesWithinBf16Precision() {
    TensorPayload t = tensor(6, 64, 64);
    KvBlock kv = new KvBlock("r", 0, 0, 0, 1, 0, t, t);
    byte[] fp32 = FP32.toBytes(kv);
    byte[] bf16 = BF16.toBytes(kv);
    assertTrue(bf16.length < fp32.length * 0.51, bf16.length + " vs " + fp32.length);
    INDArray back = ((KvBlock) BF16.fromBytes(bf16)).k().array();
    double maxRel = back.sub(t.array()).div(t.array().add(1e-30)).amaxNumber().doubleValue();
    assertTrue(maxRel <= 1.0 / 256, "bf16 keeps 8 bits of mantissa: " + maxRel);
    assertEquals((short) 0x3f80, TensorPayload.toBfloat16(1.0f));
    assertEquals((short) 0x3f81, TensorPayload.toBfloat16(Float.intBitsToFloat(0x3f80_8001)), "rounds to nearest");
  }

  record NotRegistered(int x) {}

  @Test
  void unregisteredClassesAreRefusedBothWays() {
    WireFormat.WireException out = assertThrows(WireFormat.WireException.class, () -> FP32.toBytes(new NotRegistered(1)));
    assertTrue(out.getMessage().contains("NotRegistered") || out.getMessage().contains("not registered"), out.getMessage());
    // A class id nobody registered (varint 200+2), as a hostile peer might send.
    WireFormat.WireException in = assertThrows(WireFormat.WireException.class, () -> FP32.fromBytes(new byte[] {(byte) 0xca, 0x01, 0, 0}));
    assertTrue(in.getMessage().contains("unregistered") || in.getMessage().contains("Unable to find class"), in.getMessage());
    assertThrows(WireFormat.WireException.class, () -> FP32.fromBytes(new byte[] {0x3a}), "an unknown id");
  }

  @Test
  void hostileLengthsAreRefusedBeforeAllocating() {
    // A TensorPayload (id 20 -> varint 22) claiming a 2^31-element shape in a 12-byte message.
    byte[] bytes = ByteBuffer.allocate(12).put((byte) 22).put((byte) 0).put((byte) 1).put(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07})
        .put((byte) 0x04).array();
    WireFormat.WireException e = assertThrows(WireFormat.WireException.class, () -> FP32.fromBytes(bytes));
    assertTrue(e.getMessage().contains("bytes"), e.getMessage());
    // An int[] (id 11 -> varint 13) claiming a billion elements.
    byte[] ints = {13, (byte) 0x81, (byte) 0x94, (byte) 0xeb, (byte) 0xdc, 0x03, 0, 0};
    assertThrows(WireFormat.WireException.class, () -> FP32.fromBytes(ints));
    // A boolean[] (id 15 -> varint 17) claiming a billion elements, and one holding a byte that is not 0 or 1.
    byte[] bools = {17, (byte) 0x81, (byte) 0x94, (byte) 0xeb, (byte) 0xdc, 0x03, 0, 0};
    assertThrows(WireFormat.WireException.class, () -> FP32.fromBytes(bools));
    assertArrayEquals(new boolean[] {true, false}, (boolean[]) FP32.fromBytes(new byte[] {17, 3, 1, 0}));
    WireFormat.WireException notBoolean = assertThrows(WireFormat.WireException.class, () -> FP32.fromBytes(new byte[] {17, 3, 1, 7}));
    assertTrue(notBoolean.getMessage().contains("not 0 or 1"), notBoolean.getMessage());
  }

  @Test
  void largeMessagesSplitIntoBoundedFragmentsAndReassemble() {
    byte[] msg = FP32.toBytes(new GradChunk("r", 1, 0, 0, 0, tensor(7, 100_000)));
    List<WireFragment> parts = Fragments.split(msg, 64 * 1024, 42);
    assertEquals((msg.length + 65535) / 65536, parts.size());
    assertTrue(parts.stream().allMatch(p -> p.bytes().length <= 64 * 1024));
    Fragments.Reassembler r = new Fragments.Reassembler(1 << 20, 4);
    byte[] whole = null;
    for (int i = parts.size() - 1; i >= 0; i--) { // any order, with a duplicate
      assertNull(whole);
      whole = r.add("peer", parts.get(i));
      if (i == 3) {
        assertNull(r.add("peer", parts.get(i)));
      }
    }
    assertArrayEquals(msg, whole);
    assertEquals(0, r.openTransfers());
    assertThrows(IllegalArgumentException.class, () -> new Fragments.Reassembler(1000, 4).add("p", parts.get(0)), "over the size limit");
  }
}

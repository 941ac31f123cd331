package io.worldring.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.ring.TensorPayload.WireType;
import io.worldring.ring.wire.WireFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The tensor codec's fast paths (straight between native memory and the message, and Kryo writing into a
 * caller's buffer) against the naive reference: element by element through Java arrays.
 */
class TensorCodecTest {
  private static final WireFormat FP32 = new WireFormat(WireType.FP32, 64 << 20, List.of());

  /** The reference encoding: a C-order copy read out element by element. */
  private static byte[] naive(INDArray a, WireType type) {
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(a.length() * type.width)).order(ByteOrder.LITTLE_ENDIAN);
    INDArray c = a.dup('c');
    for (long i = 0; i < c.length(); i++) {
      double v = c.getDouble(i);
      switch (type) {
        case FP64 -> out.putDouble(v);
        case FP32 -> out.putFloat((float) v);
        case BF16 -> out.putShort(TensorPayload.toBfloat16((float) v));
      }
    }
    return out.array();
  }

  /** Dense arrays, views with an offset, f-order arrays and transposes: every layout a sender may hand over. */
  private static List<INDArray> layouts(DataType type) {
    Nd4j.getRandom().setSeed(3);
    INDArray base = Nd4j.randn(type, 3, 5, 7); // [heads, tokens, headDim]
    return List.of(base,
        base.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.all()),
        base.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 4), NDArrayIndex.all()),
        base.dup('f'),
        base.get(NDArrayIndex.point(2), NDArrayIndex.all(), NDArrayIndex.all()).transpose(),
        Nd4j.randn(type, 1000));
  }

  @Test
  void theNativeEncodingEqualsTheNaiveOneForEveryLayout() {
    for (DataType dt : List.of(DataType.FLOAT, DataType.DOUBLE)) {
      for (INDArray a : layouts(dt)) {
        for (WireType type : dt == DataType.DOUBLE ? List.of(WireType.FP64, WireType.FP32) : List.of(WireType.FP32, WireType.BF16)) {
          TensorPayload t = TensorPayload.of(a);
          byte[] want = naive(a, type);
          assertArrayEquals(want, t.encode(type), dt + " " + type + " " + a.shapeInfoToString());
          byte[] padded = new byte[want.length + 10];
          t.writeWire(type, padded, 7);
          assertArrayEquals(want, java.util.Arrays.copyOfRange(padded, 7, 7 + want.length), "at an offset");
        }
      }
    }
  }

  @Test
  void decodingFromAnOffsetEqualsTheElements() {
    INDArray a = Nd4j.randn(DataType.FLOAT, 4, 6); // [rows, cols]
    byte[] bytes = naive(a, WireType.FP32);
    byte[] shifted = new byte[bytes.length + 5];
    System.arraycopy(bytes, 0, shifted, 3, bytes.length);
    assertEquals(a, TensorPayload.decode(WireType.FP32, a.shape(), shifted, 3));
    INDArray bf = TensorPayload.decode(WireType.BF16, a.shape(), naive(a, WireType.BF16), 0);
    for (long i = 0; i < a.length(); i++) {
      float want = Float.intBitsToFloat((TensorPayload.toBfloat16(a.getFloat(i)) & 0xffff) << 16);
      assertEquals(want, bf.getFloat(i), 0.0f, "bf16 widens exactly");
    }
    INDArray d = Nd4j.randn(DataType.DOUBLE, 3, 2);
    assertEquals(d, TensorPayload.decode(WireType.FP64, d.shape(), naive(d, WireType.FP64), 0));
  }

  @Test
  void aMessageWrittenIntoABufferEqualsItsByteArrayAndReadsBackInPlace() {
    INDArray k = Nd4j.randn(DataType.FLOAT, 2, 64, 16); // [kvHeads, tokens, headDim]
    INDArray v = Nd4j.randn(DataType.FLOAT, 2, 64, 16); // [kvHeads, tokens, headDim]
    KvBlock block = new KvBlock("run", 3, 1, 2, 1, 0, TensorPayload.of(k), TensorPayload.of(v));
    byte[] bytes = FP32.toBytes(block);
    ByteBuffer frame = ByteBuffer.allocateDirect(bytes.length + 100);
    frame.position(40); // Artery's header comes first
    FP32.write(block, frame);
    assertEquals(40 + bytes.length, frame.position());
    byte[] written = new byte[bytes.length];
    frame.duplicate().position(40).get(written);
    assertArrayEquals(bytes, written, "the same bytes as toBytes");

    frame.flip().position(40);
    KvBlock back = (KvBlock) FP32.read(frame);
    assertEquals(k, back.k().array());
    assertEquals(v, back.v().array());
    assertEquals(block.toString(), back.toString(), "the header fields");
  }

  @Test
  void aMessageThatDoesNotFitTheBufferIsRefused() {
    KvBlock block = new KvBlock("run", 0, 0, 0, 1, 0, TensorPayload.of(Nd4j.ones(DataType.FLOAT, 1, 64, 16)),
        TensorPayload.of(Nd4j.ones(DataType.FLOAT, 1, 64, 16)));
    ByteBuffer small = ByteBuffer.allocate(1024);
    WireFormat.WireException e = assertThrows(WireFormat.WireException.class, () -> FP32.write(block, small));
    assertTrue(e.getMessage().contains("KvBlock"), e.getMessage());
  }

  @Test
  void aMessageOverTheLimitIsRefusedEvenWhereTheBufferHasRoom() {
    WireFormat small = new WireFormat(WireType.FP32, 100, List.of());
    ByteBuffer frame = ByteBuffer.allocate(4096).position(8);
    GradChunk c = new GradChunk("r", 0, 0, 0, 0, TensorPayload.of(Nd4j.ones(DataType.FLOAT, 64)));
    WireFormat.WireException e = assertThrows(WireFormat.WireException.class, () -> small.write(c, frame));
    assertTrue(e.getMessage().contains("exceeds the limit of 100"), e.getMessage());
    assertEquals(8, frame.position(), "nothing counted as written");
  }

  @Test
  void trailingBytesInABufferAreRefused() {
    byte[] bytes = FP32.toBytes(new GradChunk("r", 0, 0, 0, 0, TensorPayload.of(Nd4j.ones(DataType.FLOAT, 3))));
    ByteBuffer buf = ByteBuffer.allocate(bytes.length + 2).put(bytes).put((byte) 0).put((byte) 0).flip();
    assertThrows(WireFormat.WireException.class, () -> FP32.read(buf));
  }
}

package io.worldring.ring;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tensor inside a message. Within one JVM it carries the array itself (the sender hands over a copy
 * it will not touch again); on the wire it is dtype, shape and raw little-endian bytes, fp32 (or fp64),
 * or bf16 where the transport is configured to halve its bytes. The receiver owns {@link #array()}.
 */
public final class TensorPayload {
  /** Element types on the wire. */
  public enum WireType {
    FP32(4), BF16(2), FP64(8);

    public final int width;

    WireType(int width) {
      this.width = width;
    }
  }

  private INDArray array; // set for local payloads, or once decoded
  private final WireType wireType; // set for decoded payloads
  private final long[] shape;
  private final byte[] bytes; // little-endian elements of wireType, or null

  private TensorPayload(INDArray array, WireType wireType, long[] shape, byte[] bytes) {
    this.array = array;
    this.wireType = wireType;
    this.shape = shape;
    this.bytes = bytes;
  }

  /** Wraps an array the sender gives away. */
  public static TensorPayload of(INDArray array) {
    return new TensorPayload(array, null, array.shape(), null);
  }

  /** A payload read from the wire. */
  public static TensorPayload fromWire(WireType type, long[] shape, byte[] bytes) {
    return new TensorPayload(null, type, shape, bytes);
  }

  public long[] shape() {
    return shape.clone();
  }

  public long elements() {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    return n;
  }

  /** The array: the one handed over, or decoded from the wire bytes (bf16 widens to fp32). */
  public synchronized INDArray array() {
    if (array == null) {
      array = decode();
    }
    return array;
  }

  /** Bytes this tensor takes on the wire in {@code type}. */
  public long wireBytes(WireType type) {
    return elements() * type.width;
  }

  /** The wire type to send this payload's array as, given the configured transport for fp32. */
  public WireType wireTypeFor(WireType fp32Transport) {
    if (bytes != null) {
      return wireType;
    }
    return array.dataType() == DataType.DOUBLE ? WireType.FP64 : fp32Transport;
  }

  /** Little-endian elements in {@code type}. */
  public byte[] encode(WireType type) {
    if (bytes != null && type == wireType) {
      return bytes;
    }
    INDArray a = array();
    int n = Math.toIntExact(a.length());
    ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(n, type.width)).order(ByteOrder.LITTLE_ENDIAN);
    switch (type) {
      case FP64 -> out.asDoubleBuffer().put(a.dup('c').data().asDouble());
      case FP32 -> out.asFloatBuffer().put(a.dup('c').data().asFloat());
      case BF16 -> {
        for (float f : a.dup('c').data().asFloat()) {
          out.putShort(toBfloat16(f));
        }
      }
      default -> throw new IllegalStateException(type.name());
    }
    return out.array();
  }

  private INDArray decode() {
    int n = Math.toIntExact(elements());
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    switch (wireType) {
      case FP64 -> {
        double[] v = new double[n];
        in.asDoubleBuffer().get(v);
        return Nd4j.create(v, shape, DataType.DOUBLE);
      }
      case FP32 -> {
        float[] v = new float[n];
        in.asFloatBuffer().get(v);
        return Nd4j.create(v, shape, DataType.FLOAT);
      }
      case BF16 -> {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
          v[i] = Float.intBitsToFloat((in.getShort(2 * i) & 0xffff) << 16);
        }
        return Nd4j.create(v, shape, DataType.FLOAT);
      }
      default -> throw new IllegalStateException(wireType.name());
    }
  }

  /** fp32 to bf16 with round-to-nearest-even (NaN stays NaN). */
  static short toBfloat16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  @Override
  public String toString() {
    return "TensorPayload" + Arrays.toString(shape);
  }
}

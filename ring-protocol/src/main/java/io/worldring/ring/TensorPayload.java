package io.worldring.ring;

import io.worldring.model.NativeMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
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
    byte[] out = new byte[Math.toIntExact(wireBytes(type))];
    writeWire(type, out, 0);
    return out;
  }

  /**
   * Writes the little-endian elements in {@code type} into {@code dst} from {@code offset}: straight out of
   * the array's native memory where it is contiguous (one copy), through a contiguous copy otherwise.
   */
  public void writeWire(WireType type, byte[] dst, int offset) {
    int length = Math.toIntExact(wireBytes(type));
    if (length == 0) {
      return;
    }
    if (bytes != null && type == wireType) {
      System.arraycopy(bytes, 0, dst, offset, length);
      return;
    }
    INDArray a = array();
    INDArray dense = isDense(a) ? a : a.dup('c');
    try {
      Nd4j.getAffinityManager().ensureLocation(dense, AffinityManager.Location.HOST); // a GPU array's current values
      ByteBuffer src = nativeBytes(dense);
      ByteBuffer out = ByteBuffer.wrap(dst, offset, length).order(ByteOrder.LITTLE_ENDIAN);
      switch (type) {
        case FP64 -> {
          requireType(dense, DataType.DOUBLE, type);
          out.put(src);
        }
        case FP32 -> {
          if (dense.dataType() == DataType.FLOAT) {
            out.put(src);
          } else {
            out.asFloatBuffer().put(dense.data().asFloat());
          }
        }
        case BF16 -> {
          FloatBuffer floats = dense.dataType() == DataType.FLOAT ? src.asFloatBuffer() : FloatBuffer.wrap(dense.data().asFloat());
          for (int i = 0, n = floats.remaining(); i < n; i++) {
            out.putShort(toBfloat16(floats.get(i)));
          }
        }
        default -> throw new IllegalStateException(type.name());
      }
    } finally {
      if (dense != a) {
        NativeMemory.release(dense);
      }
    }
  }

  /**
   * The array of {@code shape} whose little-endian elements in {@code type} start at {@code src[offset]},
   * copied once into native memory (bf16 widens to fp32).
   */
  public static INDArray decode(WireType type, long[] shape, byte[] src, int offset) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    int length = Math.toIntExact(Math.multiplyExact(n, type.width));
    ByteBuffer in = ByteBuffer.wrap(src, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
    INDArray out = Nd4j.createUninitialized(type == WireType.FP64 ? DataType.DOUBLE : DataType.FLOAT, shape);
    if (n == 0) {
      return out;
    }
    ByteBuffer dst = nativeBytes(out);
    if (type == WireType.BF16) {
      FloatBuffer floats = dst.asFloatBuffer();
      for (int i = 0; i < n; i++) {
        floats.put(i, Float.intBitsToFloat((in.getShort(2 * i) & 0xffff) << 16));
      }
    } else {
      dst.put(in);
    }
    Nd4j.getAffinityManager().tagLocation(out, AffinityManager.Location.HOST); // written on the host: a GPU copies it over
    return out;
  }

  private INDArray decode() {
    return decode(wireType, shape, bytes, 0);
  }

  /**
   * C order with default strides, alone in its buffer (not a view), so its bytes are the buffer's one run of
   * native memory. Views take a contiguous copy: how ND4J offsets a view's buffer is not part of its API.
   */
  private static boolean isDense(INDArray a) {
    return a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a) && !a.isView() && a.offset() == 0 && a.length() > 0
        && a.data().offset() == 0 && a.data().length() == a.length();
  }

  /** The array's elements as a little-endian view of its native memory (ND4J keeps them in native order). */
  private static ByteBuffer nativeBytes(INDArray dense) {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new IllegalStateException("the wire format needs a little-endian machine");
    }
    int length = Math.toIntExact(dense.length() * dense.dataType().width());
    ByteBuffer all = dense.data().asNio();
    if (all.capacity() < length) {
      throw new IllegalStateException("ND4J exposes " + all.capacity() + " bytes of an array of " + length);
    }
    return all.duplicate().position(0).limit(length).slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void requireType(INDArray a, DataType want, WireType type) {
    if (a.dataType() != want) {
      throw new IllegalArgumentException("a " + a.dataType() + " array cannot travel as " + type);
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

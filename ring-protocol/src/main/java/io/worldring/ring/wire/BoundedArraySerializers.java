package io.worldring.ring.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.DefaultArraySerializers;

/**
 * Array and string serializers that never allocate more than the message holds: a length prefix is
 * checked against the bytes left in the input before the array is created, so a hostile length cannot
 * make a node allocate gigabytes. Messages are always decoded from a byte array, whose limit is known
 * (and at most the configured largest message).
 */
final class BoundedArraySerializers {
  private BoundedArraySerializers() {}

  /** Kryo's length prefix (0 for null, else length + 1), checked against the bytes left at {@code width} bytes per element. */
  static int checkedLength(Input input, int width) {
    int length = input.readVarInt(true) - 1;
    if (length < -1) {
      throw new KryoException("negative array length");
    }
    if (length > 0 && (long) length * width > input.limit() - input.position()) {
      throw new KryoException("array of " + length + " elements is longer than the message");
    }
    return length;
  }

  /**
   * Strings as Kryo writes them ({@link Output#writeString}). Kryo allocates a UTF-8 string's characters
   * before reading them, so their count is checked against the bytes left first (each takes at least one);
   * an ASCII string has no count and grows only with the bytes it reads.
   */
  static final class Strings extends Serializer<String> {
    Strings() {
      setAcceptsNull(true);
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output output, String object) {
      output.writeString(object);
    }

    @Override
    public String read(Kryo kryo, Input input, Class<? extends String> type) {
      int start = input.position();
      if (input.readVarIntFlag()) { // null, empty or UTF-8, with a character count
        int chars = input.readVarIntFlag(true) - 1;
        if (chars < -1 || chars > input.limit() - input.position()) {
          throw new KryoException("string length " + chars + " is negative or longer than the message");
        }
      }
      input.setPosition(start);
      return input.readString();
    }
  }

  /**
   * Arrays of registered objects. Every element takes at least a byte on the wire (each registered type
   * writes something, a null a marker), so the length is checked against the bytes left as for bytes.
   */
  static final class Objects extends DefaultArraySerializers.ObjectArraySerializer {
    Objects(Kryo kryo, Class<?> type) {
      super(kryo, type);
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"}) // the superclass's signature
    public Object[] read(Kryo kryo, Input input, Class type) {
      int start = input.position();
      checkedLength(input, 1);
      input.setPosition(start);
      return super.read(kryo, input, type);
    }
  }

  static final class Bytes extends Serializer<byte[]> {
    Bytes() {
      setAcceptsNull(true);
    }

    @Override
    public void write(Kryo kryo, Output output, byte[] object) {
      output.writeVarInt(object == null ? 0 : object.length + 1, true);
      if (object != null) {
        output.writeBytes(object);
      }
    }

    @Override
    public byte[] read(Kryo kryo, Input input, Class<? extends byte[]> type) {
      int n = checkedLength(input, 1);
      return n < 0 ? null : input.readBytes(n);
    }
  }

  static final class Ints extends Serializer<int[]> {
    Ints() {
      setAcceptsNull(true);
    }

    @Override
    public void write(Kryo kryo, Output output, int[] object) {
      output.writeVarInt(object == null ? 0 : object.length + 1, true);
      if (object != null) {
        output.writeInts(object, 0, object.length);
      }
    }

    @Override
    public int[] read(Kryo kryo, Input input, Class<? extends int[]> type) {
      int n = checkedLength(input, 4);
      return n < 0 ? null : input.readInts(n);
    }
  }

  static final class Longs extends Serializer<long[]> {
    Longs() {
      setAcceptsNull(true);
    }

    @Override
    public void write(Kryo kryo, Output output, long[] object) {
      output.writeVarInt(object == null ? 0 : object.length + 1, true);
      if (object != null) {
        output.writeLongs(object, 0, object.length);
      }
    }

    @Override
    public long[] read(Kryo kryo, Input input, Class<? extends long[]> type) {
      int n = checkedLength(input, 8);
      return n < 0 ? null : input.readLongs(n);
    }
  }

  static final class Floats extends Serializer<float[]> {
    Floats() {
      setAcceptsNull(true);
    }

    @Override
    public void write(Kryo kryo, Output output, float[] object) {
      output.writeVarInt(object == null ? 0 : object.length + 1, true);
      if (object != null) {
        output.writeFloats(object, 0, object.length);
      }
    }

    @Override
    public float[] read(Kryo kryo, Input input, Class<? extends float[]> type) {
      int n = checkedLength(input, 4);
      return n < 0 ? null : input.readFloats(n);
    }
  }

  static final class Doubles extends Serializer<double[]> {
    Doubles() {
      setAcceptsNull(true);
    }

    @Override
    public void write(Kryo kryo, Output output, double[] object) {
      output.writeVarInt(object == null ? 0 : object.length + 1, true);
      if (object != null) {
        output.writeDoubles(object, 0, object.length);
      }
    }

    @Override
    public double[] read(Kryo kryo, Input input, Class<? extends double[]> type) {
      int n = checkedLength(input, 8);
      return n < 0 ? null : input.readDoubles(n);
    }
  }

  /** One byte per element (0 or 1); any other byte is refused. */
  static final class Booleans extends Serializer<boolean[]> {
    Booleans() {
      setAcceptsNull(true);
    }

    @Override
    public void write(Kryo kryo, Output output, boolean[] object) {
      output.writeVarInt(object == null ? 0 : object.length + 1, true);
      if (object != null) {
        for (boolean b : object) {
          output.writeByte(b ? 1 : 0);
        }
      }
    }

    @Override
    public boolean[] read(Kryo kryo, Input input, Class<? extends boolean[]> type) {
      int n = checkedLength(input, 1);
      if (n < 0) {
        return null;
      }
      boolean[] out = new boolean[n];
      for (int i = 0; i < n; i++) {
        byte b = input.readByte();
        if (b != 0 && b != 1) {
          throw new KryoException("boolean array element " + i + " is " + b + ", not 0 or 1");
        }
        out[i] = b == 1;
      }
      return out;
    }
  }
}

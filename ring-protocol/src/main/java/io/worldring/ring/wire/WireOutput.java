package io.worldring.ring.wire;

import com.esotericsoftware.kryo.io.Output;

/**
 * A Kryo output over a byte array that lets a serializer reserve room and write into the array itself, so
 * a tensor's bytes go from native memory into the message without an intermediate array.
 */
final class WireOutput extends Output {
  WireOutput(int bufferSize, int maxBufferSize) {
    super(bufferSize, maxBufferSize);
  }

  /** Makes room for {@code bytes} more bytes after {@link #position()} (growing up to the maximum, else throwing). */
  void reserve(int bytes) {
    require(bytes);
  }
}

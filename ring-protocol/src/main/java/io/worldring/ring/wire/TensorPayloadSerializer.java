package io.worldring.ring.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.worldring.ring.TensorPayload;

/**
 * A tensor on the wire: element type, rank, shape, then the raw little-endian bytes. fp32 tensors go as
 * the configured transport type (fp32, or bf16 to halve the bytes). Reading checks rank, shape and byte
 * count against each other and against the message before allocating anything. Where the message is a
 * byte array (what {@link WireFormat} writes and reads) the elements are copied once, between it and the
 * arrays' native memory; the intermediate arrays of the generic path cost a transfer several copies.
 */
final class TensorPayloadSerializer extends Serializer<TensorPayload> {
  static final int MAX_RANK = 8;
  private final TensorPayload.WireType fp32Transport;

  TensorPayloadSerializer(TensorPayload.WireType fp32Transport) {
    this.fp32Transport = fp32Transport;
    setAcceptsNull(true);
  }

  @Override
  public void write(Kryo kryo, Output output, TensorPayload t) {
    if (t == null) {
      output.writeByte(-1);
      return;
    }
    TensorPayload.WireType type = t.wireTypeFor(fp32Transport);
    output.writeByte(type.ordinal());
    long[] shape = t.shape();
    output.writeVarInt(shape.length, true);
    for (long d : shape) {
      output.writeVarLong(d, true);
    }
    int length = Math.toIntExact(t.wireBytes(type));
    output.writeVarInt(length, true);
    if (output instanceof WireOutput direct) { // the tensor's bytes go from native memory straight into the buffer
      direct.reserve(length);
      t.writeWire(type, direct.getBuffer(), direct.position());
      direct.setPosition(direct.position() + length);
    } else {
      output.writeBytes(t.encode(type));
    }
  }

  @Override
  public TensorPayload read(Kryo kryo, Input input, Class<? extends TensorPayload> cls) {
    int typeIndex = input.readByte();
    if (typeIndex == -1) {
      return null;
    }
    TensorPayload.WireType[] types = TensorPayload.WireType.values();
    if (typeIndex < 0 || typeIndex >= types.length) {
      throw new KryoException("unknown tensor element type " + typeIndex);
    }
    TensorPayload.WireType type = types[typeIndex];
    int rank = input.readVarInt(true);
    if (rank < 0 || rank > MAX_RANK) {
      throw new KryoException("tensor rank " + rank + " is outside 0.." + MAX_RANK);
    }
    long[] shape = new long[rank];
    long needed = type.width; // bytes
    for (int i = 0; i < rank; i++) {
      shape[i] = input.readVarLong(true);
      if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE) {
        throw new KryoException("tensor dimension " + shape[i] + " is out of range");
      }
      // Saturates above 2 GiB (no long overflow to wrap round to a small count); a zero dimension still gives 0.
      needed = needed <= Integer.MAX_VALUE || shape[i] == 0 ? needed * shape[i] : needed;
    }
    int length = input.readVarInt(true);
    if (length < 0 || length != needed) {
      throw new KryoException("tensor of shape " + java.util.Arrays.toString(shape) + " (" + type + ") needs "
          + (needed > Integer.MAX_VALUE ? "over 2 GiB" : needed + " bytes") + ", the message says " + length);
    }
    if (length > input.limit() - input.position()) {
      throw new KryoException("tensor of " + length + " bytes is longer than the message");
    }
    if (input.getClass() == Input.class && input.getInputStream() == null) { // the whole message is in its byte[]
      TensorPayload t = TensorPayload.of(TensorPayload.decode(type, shape, input.getBuffer(), input.position()));
      input.setPosition(input.position() + length);
      return t;
    }
    return TensorPayload.fromWire(type, shape, input.readBytes(length));
  }
}

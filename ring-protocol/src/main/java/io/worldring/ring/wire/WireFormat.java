package io.worldring.ring.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.ByteBufferInput;
import com.esotericsoftware.kryo.io.ByteBufferOutput;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.serializers.DefaultSerializers;
import com.esotericsoftware.kryo.serializers.RecordSerializer;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import com.esotericsoftware.kryo.util.Pool;
import io.worldring.model.attention.TokenBlock;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.GradChunk;
import io.worldring.ring.KvBlock;
import io.worldring.ring.KvGradBlock;
import io.worldring.ring.SequenceLayout;
import io.worldring.ring.TensorPayload;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Kryo with registration required: only the classes listed here (and in the extensions the actor layer
 * adds, ids 100 and up) can be written or read, each under a fixed id that every node shares. An
 * unregistered class is refused on both sides. Kryo instances are not thread-safe, so they are pooled.
 */
public final class WireFormat {
  /** Ids 10-99 are this module's; the actor layer registers its messages from 100. */
  public static final int FIRST_EXTENSION_ID = 100;

  /** Output buffers up to this size are kept for the next message; larger ones are left to the collector. */
  static final int RETAINED_OUTPUT_BYTES = 32 << 20;

  private final Pool<Kryo> pool;
  private final Pool<WireOutput> outputs;
  private final int maxMessageBytes;

  /**
   * @param fp32Transport how fp32 tensors travel (FP32, or BF16 to halve the bytes at reduced precision)
   * @param maxMessageBytes the largest message this format writes or reads
   * @param extensions further registrations (ids from {@link #FIRST_EXTENSION_ID})
   */
  public WireFormat(TensorPayload.WireType fp32Transport, int maxMessageBytes, List<Consumer<Kryo>> extensions) {
    this.maxMessageBytes = maxMessageBytes;
    List<Consumer<Kryo>> ext = new ArrayList<>(extensions);
    this.pool = new Pool<>(true, false, 16) {
      @Override
      protected Kryo create() {
        Kryo kryo = new Kryo(new RegisteredIdsOnly(), null);
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        registerRing(kryo, fp32Transport);
        ext.forEach(e -> e.accept(kryo));
        requireBoundedSerializers(kryo);
        return kryo;
      }
    };
    // Reused, so a large message is not written into a buffer that doubles its way up from 4 KiB each time.
    this.outputs = new Pool<>(true, false, 4) {
      @Override
      protected WireOutput create() {
        return new WireOutput(4096, maxMessageBytes);
      }
    };
  }

  /**
   * This module's registrations. Ids are part of the wire format: never renumber, only append. Every
   * serializer that reads a length checks it against the message before allocating (strings included,
   * whose Kryo default does not).
   */
  static void registerRing(Kryo kryo, TensorPayload.WireType fp32Transport) {
    kryo.register(String.class, new BoundedArraySerializers.Strings()); // Kryo's own id for String
    kryo.register(byte[].class, new BoundedArraySerializers.Bytes(), 10);
    kryo.register(int[].class, new BoundedArraySerializers.Ints(), 11);
    kryo.register(long[].class, new BoundedArraySerializers.Longs(), 12);
    kryo.register(float[].class, new BoundedArraySerializers.Floats(), 13);
    kryo.register(double[].class, new BoundedArraySerializers.Doubles(), 14);
    kryo.register(boolean[].class, new BoundedArraySerializers.Booleans(), 15); // TrainingSequence's vision masks
    kryo.register(TensorPayload.class, new TensorPayloadSerializer(fp32Transport), 20);
    kryo.register(KvBlock.class, new RecordSerializer<>(), 21);
    kryo.register(KvGradBlock.class, new RecordSerializer<>(), 22);
    kryo.register(GradChunk.class, new RecordSerializer<>(), 23);
    kryo.register(WireFragment.class, new RecordSerializer<>(), 24);
    kryo.register(TokenBlock.class, new RecordSerializer<>(), 30);
    registerArray(kryo, TokenBlock[].class, 31);
    kryo.register(TrainingSequence.class, new RecordSerializer<>(), 32);
    registerArray(kryo, TrainingSequence[].class, 33);
    kryo.register(SequenceLayout.class, 34);
  }

  /**
   * Fails for a registration whose serializer allocates what a length on the wire says: Kryo's own String,
   * array, collection and map serializers do. Bounded are this project's serializers, records (whose
   * components go through the registered serializers), enums (an ordinal checked against the constants) and
   * the fixed-width primitives.
   */
  static void requireBoundedSerializers(Kryo kryo) {
    for (Registration r : ((RegisteredIdsOnly) kryo.getClassResolver()).registrations()) {
      Serializer<?> s = r.getSerializer();
      boolean bounded = s instanceof RecordSerializer || s instanceof DefaultSerializers.EnumSerializer || r.getType().isPrimitive()
          || s.getClass().getName().startsWith("io.worldring.");
      if (!bounded) {
        throw new IllegalStateException("wire class " + r.getType().getName() + " (id " + r.getId() + ") is registered with "
            + s.getClass().getName() + ", which allocates whatever length a message states; register a bounded serializer");
      }
    }
  }

  /** Registers an array of registered elements under {@code id}, its length checked against the message before allocation. */
  public static void registerArray(Kryo kryo, Class<? extends Object[]> arrayType, int id) {
    kryo.register(arrayType, new BoundedArraySerializers.Objects(kryo, arrayType), id);
  }

  public byte[] toBytes(Object message) {
    return withBytes(message, (bytes, length) -> Arrays.copyOf(bytes, length));
  }

  /** What is done with a serialized message: {@code bytes[0, length)}, valid during the call only. */
  @FunctionalInterface
  public interface SerializedUse<T> {
    T apply(byte[] bytes, int length);
  }

  /**
   * Serializes {@code message} into a reused buffer and hands it to {@code use}, which copies what it keeps
   * (fragments cut straight from the buffer save a whole-message copy).
   */
  public <T> T withBytes(Object message, SerializedUse<T> use) {
    Kryo kryo = pool.obtain();
    WireOutput out = outputs.obtain();
    try {
      out.reset();
      kryo.writeClassAndObject(out, message);
      return use.apply(out.getBuffer(), out.position());
    } catch (KryoException | IllegalArgumentException e) {
      throw new WireException("cannot serialize " + message.getClass().getName() + ": " + e.getMessage(), e);
    } finally {
      if (out.getBuffer().length > RETAINED_OUTPUT_BYTES) {
        out.setBuffer(new byte[4096], maxMessageBytes);
      }
      outputs.free(out);
      pool.free(kryo);
    }
  }

  /**
   * Writes {@code message} into {@code target} from its position (Artery's buffer: no intermediate array),
   * leaving the position after it.
   *
   * @throws WireException if it does not fit, or cannot be written
   */
  public void write(Object message, ByteBuffer target) {
    Kryo kryo = pool.obtain();
    int start = target.position();
    try {
      // At most the buffer's capacity: Kryo would otherwise grow into a buffer of its own, not Artery's.
      ByteBufferOutput out = new ByteBufferOutput(target, target.capacity());
      kryo.writeClassAndObject(out, message);
      if (out.position() - start > maxMessageBytes) {
        target.position(start);
        throw new WireException("message of " + (out.position() - start) + " bytes exceeds the limit of " + maxMessageBytes);
      }
      target.position(out.position());
    } catch (KryoException | IllegalArgumentException e) {
      throw new WireException("cannot serialize " + message.getClass().getName() + " into " + target.remaining() + " bytes: "
          + e.getMessage(), e);
    } finally {
      pool.free(kryo);
    }
  }

  public Object fromBytes(byte[] bytes) {
    if (bytes.length > maxMessageBytes) {
      throw new WireException("message of " + bytes.length + " bytes exceeds the limit of " + maxMessageBytes);
    }
    return read(new Input(bytes), bytes.length);
  }

  /** Reads the one message from {@code source}'s position to its limit (Artery's buffer, read in place). */
  public Object read(ByteBuffer source) {
    if (source.remaining() > maxMessageBytes) {
      throw new WireException("message of " + source.remaining() + " bytes exceeds the limit of " + maxMessageBytes);
    }
    return read(new ByteBufferInput(source), source.remaining());
  }

  private Object read(Input in, int length) {
    Kryo kryo = pool.obtain();
    try (in) {
      Object o = kryo.readClassAndObject(in);
      if (in.position() != in.limit()) {
        throw new WireException("message has " + (in.limit() - in.position()) + " trailing bytes");
      }
      return o;
    } catch (KryoException | IllegalArgumentException | ArithmeticException | IndexOutOfBoundsException e) {
      throw new WireException("cannot deserialize a message of " + length + " bytes: " + e.getMessage() + rootCause(e), e);
    } finally {
      pool.free(kryo);
    }
  }

  /** What a record's constructor said, say, under Kryo's wrapping of it; empty if {@code e} is the cause itself. */
  private static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? "" : "\ncaused by " + root;
  }

  /**
   * Classes travel as their registered ids only. Kryo also reads a class given by name (which a writer with
   * registration required never sends): it would load any class the peer names, read the name with an
   * unchecked length, and remember each name id for the life of the Kryo instance.
   */
  static final class RegisteredIdsOnly extends DefaultClassResolver {
    @Override
    protected Registration readName(Input input) {
      throw new KryoException("a class given by name; only registered class ids are accepted");
    }

    Iterable<Registration> registrations() {
      return idToRegistration.values();
    }
  }

  /** A message that cannot be written or read. */
  public static final class WireException extends RuntimeException {
    public WireException(String message) {
      super(message);
    }

    public WireException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}

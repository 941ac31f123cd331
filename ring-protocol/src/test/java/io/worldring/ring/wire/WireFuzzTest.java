package io.worldring.ring.wire;

import io.worldring.model.attention.TokenBlock;
import io.worldring.model.fuzz.CleanFailure;
import io.worldring.model.fuzz.FuzzCorpus;
import io.worldring.model.fuzz.FuzzSeed;
import io.worldring.model.fuzz.Mutations.Mutant;
import io.worldring.model.fuzz.Mutations;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.GradChunk;
import io.worldring.ring.KvBlock;
import io.worldring.ring.KvGradBlock;
import io.worldring.ring.SequenceLayout;
import io.worldring.ring.TensorPayload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Ring messages mutated from valid ones, and random bytes: decoded (every tensor in them decodable too), or
 * refused with a {@link WireFormat.WireException}; never another exception, never an allocation beyond a
 * small multiple of the message.
 */
class WireFuzzTest {
  static final WireFormat FORMAT = new WireFormat(TensorPayload.WireType.FP32, 1 << 20, List.of());
  static final WireFormat BF16 = new WireFormat(TensorPayload.WireType.BF16, 1 << 20, List.of());

  /** One message of every kind this module registers, serialized. */
  static List<byte[]> validMessages() {
    Nd4j.getRandom().setSeed(11);
    TensorPayload k = TensorPayload.of(Nd4j.rand(DataType.FLOAT, 2, 3, 4));
    TensorPayload v = TensorPayload.of(Nd4j.rand(DataType.FLOAT, 2, 3, 4));
    TensorPayload grad = TensorPayload.of(Nd4j.rand(DataType.DOUBLE, 5));
    List<byte[]> out = new ArrayList<>();
    out.add(FORMAT.toBytes(new KvBlock("run-7", 3, 1, 0, 2, 1, k, v)));
    out.add(BF16.toBytes(new KvBlock("run-7", 3, 1, 0, 2, 1, k, v)));
    out.add(FORMAT.toBytes(new KvGradBlock("run-7", 3, 0, 1, 4, 0, null, null, k, v)));
    out.add(FORMAT.toBytes(new GradChunk("run-7", 3, GradChunk.ALL_GATHER, 1, 2, grad)));
    out.add(FORMAT.toBytes(new WireFragment(9, 1, 3, 10, new byte[] {1, 2, 3, 4})));
    out.add(FORMAT.toBytes(new TrainingSequence[] {
        TrainingSequence.causal(new int[] {7, 3, 5, 9}, new boolean[] {false, true, true, false}),
        new TrainingSequence(new int[] {1, 2}, new int[] {2, 3}, new float[] {0.5f, 0f}, new int[] {0, 1}, new int[] {0, 0})}));
    out.add(FORMAT.toBytes(new TokenBlock[] {TokenBlock.contiguous(4, 3), new TokenBlock(new int[] {0, 9}, new int[] {1, 2})}));
    out.add(FORMAT.toBytes(SequenceLayout.ZIGZAG));
    out.add(FORMAT.toBytes(new long[] {1, -1, Long.MAX_VALUE}));
    return out;
  }

  /** Decodes, then reads every tensor the way a receiving device does. */
  static Object decode(byte[] message) {
    Object o = FORMAT.fromBytes(message);
    List<TensorPayload> tensors = new ArrayList<>();
    if (o instanceof KvBlock b) {
      tensors.addAll(Arrays.asList(b.k(), b.v()));
    } else if (o instanceof KvGradBlock b) {
      tensors.addAll(Arrays.asList(b.k(), b.v(), b.dk(), b.dv()));
    } else if (o instanceof GradChunk c) {
      tensors.add(c.values());
    } else if (o instanceof TensorPayload t) {
      tensors.add(t);
    }
    for (TensorPayload t : tensors) {
      if (t != null) {
        t.array();
      }
    }
    return o;
  }

  static WireFormat.WireException check(Mutant m) {
    return CleanFailure.check(WireFormat.WireException.class, null, (4L << 20) + 32L * m.bytes().length, () -> decode(m.bytes()));
  }

  @Property(tries = 1000, seed = FuzzSeed.VALUE)
  void mutatedMessagesAreDecodedOrRefused(@ForAll("messages") Mutant m) {
    if (check(m) != null) {
      FuzzCorpus.keep("wire", Integer.toHexString(Arrays.hashCode(m.bytes())) + ".bin", m);
    }
  }

  @Provide
  Arbitrary<Mutant> messages() {
    List<byte[]> valid = validMessages();
    return Arbitraries.integers().between(0, valid.size() - 1).flatMap(i -> Mutations.bytes(valid.get(i), 16)
        .map(m -> new Mutant(m.bytes(), "message " + i + ": " + m.how())));
  }

  @Property(tries = 500, seed = FuzzSeed.VALUE)
  void randomBytesAreRefusedOrDecoded(@ForAll("noise") Mutant m) {
    check(m);
  }

  @Provide
  Arbitrary<Mutant> noise() {
    return Mutations.noise(48);
  }

  @Property(tries = 500, seed = FuzzSeed.VALUE)
  void fragmentsAreReassembledOrRefused(@ForAll("fragments") List<WireFragment> fragments) {
    Fragments.Reassembler r = new Fragments.Reassembler(1 << 16, 4);
    for (WireFragment f : fragments) {
      CleanFailure.check(IllegalArgumentException.class, null, 4L << 20, () -> r.add("peer", f));
    }
  }

  @Provide
  Arbitrary<List<WireFragment>> fragments() {
    Arbitrary<Integer> ints = Arbitraries.oneOf(Arbitraries.integers().between(-2, 70_000),
        Arbitraries.of(Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 16, (1 << 16) + 1));
    Arbitrary<byte[]> bytes = Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofMaxSize(64), Arbitraries.just(null));
    return Combinators.combine(Arbitraries.longs().between(0, 3), ints, ints, ints, bytes).as(WireFragment::new).list().ofMaxSize(8);
  }
}

package io.worldring.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.BadInputException;
import io.worldring.model.LlamaModel;
import io.worldring.model.Parameters;
import io.worldring.model.train.TrainingSequence;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ring arithmetic without actors: n shards exchanging blocks in RingAttention's order give the
 * single-device loss and gradients. The actor tests then only need to show the messages do the same.
 */
class RingMathTest {
  static final double TOLERANCE = 1e-4;

  static Stream<Arguments> rings() {
    return Stream.of(1, 2, 3, 4, 8).flatMap(n -> Stream.of(SequenceLayout.CONTIGUOUS, SequenceLayout.ZIGZAG)
        .flatMap(layout -> Stream.of(Arguments.of(n, layout, false), Arguments.of(n, layout, true))));
  }

  @ParameterizedTest(name = "n={0} {1} packed={2}")
  @MethodSource("rings")
  void ringEqualsOneDevice(int n, SequenceLayout layout, boolean packed) {
    int length = 48;
    LlamaModel model = RingMath.model(5, 4);
    TrainingSequence seq = RingMath.sequence(length, packed, 11);
    Parameters single = model.parameters().zerosLike();
    double singleLoss = model.lossAndGradients(seq, single);
    Parameters ring = model.parameters().zerosLike();
    double ringLoss = RingMath.ringLossAndGradients(model, seq, new RingSchedule(n, layout), ring);
    assertEquals(singleLoss, ringLoss, Math.abs(singleLoss) * TOLERANCE, "loss");
    Parameters.Difference d = single.maxScaledDifference(ring);
    assertTrue(d.value() <= TOLERANCE, d.toString());
  }

  static Stream<Arguments> visionRings() {
    return Stream.of(1, 2, 4).flatMap(n -> Stream.of(Arguments.of(n, SequenceLayout.CONTIGUOUS), Arguments.of(n, SequenceLayout.ZIGZAG)));
  }

  /** Vision spans (their own embedding table and head) split across devices change nothing either. */
  @ParameterizedTest(name = "n={0} {1}")
  @MethodSource("visionRings")
  void ringEqualsOneDeviceWithVisionTokens(int n, SequenceLayout layout) {
    LlamaModel model = RingMath.model(RingMath.VISION_CONFIG, 5, 4);
    TrainingSequence seq = RingMath.visionSequence(48, 12);
    Parameters single = model.parameters().zerosLike();
    double singleLoss = model.lossAndGradients(seq, single);
    Parameters ring = model.parameters().zerosLike();
    double ringLoss = RingMath.ringLossAndGradients(model, seq, new RingSchedule(n, layout), ring);
    assertEquals(singleLoss, ringLoss, Math.abs(singleLoss) * TOLERANCE, "loss");
    Parameters.Difference d = single.maxScaledDifference(ring);
    assertTrue(d.value() <= TOLERANCE, d.toString());
    assertTrue(ring.get(io.worldring.model.ParameterNames.VISION_HEAD).norm2Number().doubleValue() > 0, "the vision head was trained");
  }

  @Test
  void shardsCarryTheVisionMasksWithTheirTokens() {
    TrainingSequence seq = RingMath.visionSequence(16, 3);
    RingSchedule ring = new RingSchedule(4, SequenceLayout.ZIGZAG);
    for (int d = 0; d < 4; d++) {
      TrainingSequence shard = ring.shard(seq, d);
      int[] idx = ring.tokenIndices(d, 16);
      for (int i = 0; i < idx.length; i++) {
        assertEquals(seq.visionInput(idx[i]), shard.visionInput(i));
        assertEquals(seq.visionTarget(idx[i]), shard.visionTarget(i));
        assertEquals(seq.tokens()[idx[i]], shard.tokens()[i]);
      }
    }
    TrainingSequence text = RingMath.sequence(16, true, 1);
    TrainingSequence textShard = ring.shard(text, 1);
    assertTrue(textShard.visionInputs() == null && textShard.visionTargets() == null, "a text sequence's shards stay text");
  }

  @Test
  void blocksTravelToTheNextDevice() {
    RingSchedule r = new RingSchedule(4, SequenceLayout.CONTIGUOUS);
    assertEquals(1, r.next(0));
    assertEquals(3, r.previous(0));
    assertArrayEquals(new int[] {2, 1, 0, 3}, new int[] {r.heldBlock(2, 0), r.heldBlock(2, 1), r.heldBlock(2, 2), r.heldBlock(2, 3)});
  }

  @Test
  void layoutsAssignTokensAsDocumented() {
    assertArrayEquals(new int[] {4, 5, 6, 7}, new RingSchedule(4, SequenceLayout.CONTIGUOUS).tokenIndices(1, 16));
    assertArrayEquals(new int[] {2, 3, 12, 13}, new RingSchedule(4, SequenceLayout.ZIGZAG).tokenIndices(1, 16));
    int[] all = Stream.of(0, 1, 2, 3).flatMapToInt(d -> Arrays.stream(new RingSchedule(4, SequenceLayout.ZIGZAG).tokenIndices(d, 16)))
        .sorted().toArray();
    assertArrayEquals(java.util.stream.IntStream.range(0, 16).toArray(), all, "every token exactly once");
    BadInputException e = assertThrows(BadInputException.class, () -> new RingSchedule(4, SequenceLayout.ZIGZAG).tokenIndices(0, 20));
    assertTrue(e.getMessage().contains("multiple of 8"), e.getMessage());
  }

  @Test
  void zigzagBalancesCausalWorkAcrossDevices() {
    int n = 4;
    int length = 64;
    long[] zigzag = new long[n];
    long[] contiguous = new long[n];
    for (int q = 0; q < n; q++) {
      for (int k = 0; k < n; k++) {
        zigzag[q] += new RingSchedule(n, SequenceLayout.ZIGZAG).causalPairs(q, k, length);
        contiguous[q] += new RingSchedule(n, SequenceLayout.CONTIGUOUS).causalPairs(q, k, length);
      }
    }
    assertEquals(1, Arrays.stream(zigzag).distinct().count(), "zigzag: equal work per device " + Arrays.toString(zigzag));
    assertTrue(contiguous[n - 1] > 3 * contiguous[0], "contiguous is unbalanced " + Arrays.toString(contiguous));
    // Per hop too: every device's pair of blocks at a hop has the same work, except the diagonal hop 0.
    RingSchedule z = new RingSchedule(n, SequenceLayout.ZIGZAG);
    for (int hop = 1; hop < n; hop++) {
      long first = z.causalPairs(0, z.heldBlock(0, hop), length);
      for (int d = 1; d < n; d++) {
        assertEquals(first, z.causalPairs(d, z.heldBlock(d, hop), length), "hop " + hop + " device " + d);
      }
    }
  }

  @Test
  void gradientRingChunksCoverEverythingOnceAndEndOwned() {
    GradientRing g = new GradientRing(3, 10);
    assertArrayEquals(new long[] {0, 4}, g.chunkRange(0));
    assertArrayEquals(new long[] {4, 7}, g.chunkRange(1));
    assertArrayEquals(new long[] {7, 10}, g.chunkRange(2));
    // Simulate reduce-scatter + all-gather on numbers: every device ends with the full sums.
    int n = 4;
    GradientRing ring = new GradientRing(n, n);
    double[][] values = new double[n][n];
    for (int d = 0; d < n; d++) {
      for (int c = 0; c < n; c++) {
        values[d][c] = (d + 1) * 10 + c;
      }
    }
    for (int hop = 0; hop < n - 1; hop++) {
      double[][] sent = new double[n][];
      for (int d = 0; d < n; d++) {
        sent[d] = new double[] {ring.scatterSend(d, hop), values[d][ring.scatterSend(d, hop)]};
      }
      for (int d = 0; d < n; d++) {
        double[] in = sent[Math.floorMod(d - 1, n)];
        values[d][(int) in[0]] += in[1];
      }
    }
    for (int d = 0; d < n; d++) {
      assertEquals(100 + 4 * ring.owned(d), values[d][ring.owned(d)], "device " + d + " owns its reduced chunk");
    }
    for (int hop = 0; hop < n - 1; hop++) {
      double[][] sent = new double[n][];
      for (int d = 0; d < n; d++) {
        sent[d] = new double[] {ring.gatherSend(d, hop), values[d][ring.gatherSend(d, hop)]};
      }
      for (int d = 0; d < n; d++) {
        double[] in = sent[Math.floorMod(d - 1, n)];
        values[d][(int) in[0]] = in[1];
      }
    }
    for (int d = 0; d < n; d++) {
      for (int c = 0; c < n; c++) {
        assertEquals(100 + 4 * c, values[d][c], "device " + d + " chunk " + c);
      }
    }
  }
}

package io.worldring.model.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.Scratch;
import io.worldring.model.SplitMix64;
import io.worldring.model.TestTensors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Blockwise attention (any block size, causal, segments, GQA) equals full-matrix attention. */
class BlockAttentionTest {
  private static final double FP32_TOLERANCE = 1e-5;
  private static final double FP64_TOLERANCE = 1e-10;

  static Stream<Arguments> cases() {
    return Stream.of(
        // heads, kvHeads, tokens, headDim, block, segmented, type
        Arguments.of(4, 4, 13, 8, 13, false, DataType.DOUBLE),
        Arguments.of(4, 2, 13, 8, 4, false, DataType.DOUBLE),
        Arguments.of(4, 1, 17, 6, 5, true, DataType.DOUBLE),
        Arguments.of(6, 3, 16, 4, 1, true, DataType.DOUBLE),
        Arguments.of(8, 2, 24, 8, 7, true, DataType.DOUBLE),
        Arguments.of(4, 2, 13, 8, 3, false, DataType.FLOAT),
        Arguments.of(4, 1, 32, 16, 8, true, DataType.FLOAT),
        Arguments.of(2, 2, 20, 8, 20, true, DataType.FLOAT));
  }

  @ParameterizedTest(name = "heads={0} kv={1} T={2} d={3} block={4} segments={5} {6}")
  @MethodSource("cases")
  void blockwiseEqualsNaive(int heads, int kvHeads, int tokens, int headDim, int block, boolean segmented, DataType type) {
    SplitMix64 rng = new SplitMix64(heads * 1000L + tokens * 10L + block);
    INDArray q = TestTensors.random(rng, type, 1.0, heads, tokens, headDim);
    INDArray k = TestTensors.random(rng, type, 1.0, kvHeads, tokens, headDim);
    INDArray v = TestTensors.random(rng, type, 1.0, kvHeads, tokens, headDim);
    INDArray dOut = TestTensors.random(rng, type, 1.0, heads, tokens, headDim);
    int[] pos = new int[tokens];
    int[] seg = segmented ? new int[tokens] : null;
    int segment = 0;
    int start = 0;
    for (int t = 0; t < tokens; t++) {
      if (segmented && t > 0 && t % 5 == 0) { // packed examples restart their positions
        segment++;
        start = t;
      }
      pos[t] = segmented ? t - start : t;
      if (seg != null) {
        seg[t] = segment;
      }
    }
    double scale = 1.0 / Math.sqrt(headDim);
    double tol = type == DataType.DOUBLE ? FP64_TOLERANCE : FP32_TOLERANCE;

    LocalAttention attention = new LocalAttention(new TokenBlock(pos, seg), block, true);
    AttentionOutput out = attention.forward(q, k, v, scale);
    double[][][] qa = TestTensors.toArray3(q);
    double[][][] ka = TestTensors.toArray3(k);
    double[][][] va = TestTensors.toArray3(v);
    double[] worst = new double[1];
    String msg = TestTensors.maxDiff(NaiveAttention.forward(qa, ka, va, pos, seg, scale), out.out(), worst);
    assertTrue(worst[0] <= tol, "forward: " + msg);

    AttentionGradients g = attention.backward(q, k, v, out.out(), out.logSumExp(), dOut, scale);
    double[][][][] ref = NaiveAttention.backward(qa, ka, va, TestTensors.toArray3(dOut), pos, seg, scale);
    String[] names = {"dq", "dk", "dv"};
    INDArray[] got = {g.dq(), g.dk(), g.dv()};
    for (int i = 0; i < 3; i++) {
      msg = TestTensors.maxDiff(ref[i], got[i], worst);
      assertTrue(worst[0] <= tol, names[i] + ": " + msg);
    }
  }

  @Test
  void pairsWhollyAboveTheDiagonalAreSkipped() {
    TokenBlock early = TokenBlock.contiguous(0, 4);
    TokenBlock late = TokenBlock.contiguous(4, 4);
    assertTrue(BlockMask.between(early, late, true, DataType.FLOAT).skipped());
    assertEquals(BlockMask.Kind.FULL, BlockMask.between(late, early, true, DataType.FLOAT).kind());
    assertEquals(BlockMask.Kind.PARTIAL, BlockMask.between(late, late, true, DataType.FLOAT).kind());

    OnlineSoftmaxCarry carry = OnlineSoftmaxCarry.start(2, 4, 8, DataType.FLOAT);
    INDArray q = Nd4j.rand(DataType.FLOAT, 2, 4, 8);
    INDArray kv = Nd4j.rand(DataType.FLOAT, 2, 4, 8);
    assertFalse(BlockAttention.forward(q, kv, kv, BlockMask.between(early, late, true, DataType.FLOAT), carry, 1.0));
    assertEquals(0.0, carry.numerator().amaxNumber().doubleValue(), "a skipped pair must not touch the carry");
  }

  @Test
  void differentSegmentsAreSkippedAndFullyMaskedRowsStayFinite() {
    TokenBlock a = new TokenBlock(new int[] {0, 1, 2}, new int[] {0, 0, 0});
    TokenBlock b = new TokenBlock(new int[] {0, 1, 2}, new int[] {1, 1, 1});
    assertTrue(BlockMask.between(a, b, true, DataType.FLOAT).skipped());

    // Query 0 of segment 1 sees no key of this block (all are segment 0), query 1 sees one.
    TokenBlock queries = new TokenBlock(new int[] {5, 6}, new int[] {1, 0});
    TokenBlock keys = new TokenBlock(new int[] {0, 1, 2}, new int[] {0, 0, 0});
    BlockMask mask = BlockMask.between(queries, keys, true, DataType.FLOAT);
    assertEquals(BlockMask.Kind.PARTIAL, mask.kind());
    OnlineSoftmaxCarry carry = OnlineSoftmaxCarry.start(1, 2, 4, DataType.FLOAT);
    INDArray q = Nd4j.rand(DataType.FLOAT, 1, 2, 4).muli(100);
    INDArray k = Nd4j.rand(DataType.FLOAT, 1, 3, 4).muli(100);
    assertTrue(BlockAttention.forward(q, k, k, mask, carry, 1.0));
    INDArray out = carry.output();
    INDArray lse = carry.logSumExp();
    assertFalse(out.isNaN().any() || out.isInfinite().any(), "output must stay finite: " + out);
    assertFalse(lse.isNaN().any() || lse.isInfinite().any(), "log-sum-exp must stay finite: " + lse);
  }

  @Test
  void scoresDoNotDependOnWhatTheScratchMemoryHeld() {
    // S is written into uninitialized scratch memory by a matmul with beta = 0; poison that memory with NaN
    // first, in both kernels and both types, and the result must not change.
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      for (boolean vector : new boolean[] {true, false}) {
        boolean before = FusedSoftmax.use(vector);
        try {
          SplitMix64 rng = new SplitMix64(7);
          INDArray q = TestTensors.random(rng, type, 1.0, 4, 16, 8);
          INDArray k = TestTensors.random(rng, type, 1.0, 2, 16, 8);
          INDArray v = TestTensors.random(rng, type, 1.0, 2, 16, 8);
          OnlineSoftmaxCarry clean = OnlineSoftmaxCarry.start(4, 16, 8, type);
          assertTrue(BlockAttention.forward(q, k, v, BlockMask.full(), clean, 0.25));
          try (MemoryWorkspace ws = Scratch.open(BlockAttention.WORKSPACE)) {
            Nd4j.valueArrayOf(new long[] {2, 2 * 16, 16}, Double.NaN, type); // where S [kvHeads, g * queries, keys] goes
          }
          try (MemoryWorkspace ws = Scratch.open(BlockAttention.WORKSPACE)) {
            assertTrue(Nd4j.createUninitialized(type, 2, 2 * 16, 16).isNaN().all(), "the scratch memory must be poisoned");
          }
          OnlineSoftmaxCarry poisoned = OnlineSoftmaxCarry.start(4, 16, 8, type);
          assertTrue(BlockAttention.forward(q, k, v, BlockMask.full(), poisoned, 0.25));
          assertFalse(poisoned.numerator().isNaN().any(), type + " vector=" + vector + ": NaN from the scratch memory");
          assertEquals(clean.numerator(), poisoned.numerator(), type + " vector=" + vector);
        } finally {
          FusedSoftmax.use(before);
        }
      }
    }
  }
}

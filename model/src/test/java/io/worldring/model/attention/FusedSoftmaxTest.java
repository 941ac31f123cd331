package io.worldring.model.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.BadInputException;
import io.worldring.model.ComputeThreads;
import io.worldring.model.SplitMix64;
import io.worldring.model.TestTensors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The vector softmax kernel gives what ND4J's separate passes give, pair by pair, in fp32: the running max,
 * denominator and numerator after forward, and dQ, dK, dV after backward. Tolerance 2e-6 of the largest
 * magnitude: the two add a row's terms in different orders, and nothing else differs.
 */
class FusedSoftmaxTest {
  private static final double TOLERANCE = 2e-6;

  @Test
  void testJvmsRunTheVectorKernel() {
    // The build adds jdk.incubator.vector to every test JVM, so the ring and model tests cover this kernel
    // (on the CPU backend; under the cuda profile the arrays live on the GPU and ND4J's passes run).
    assertTrue(FusedSoftmax.moduleLoaded(), "test JVMs must run with --add-modules jdk.incubator.vector");
    assertEquals(Nd4j.getEnvironment().isCPU() ? "vector" : "nd4j", FusedSoftmax.kernel());
  }

  @Test
  void thePropertyPicksTheKernelAndRejectsWhatItDoesNotKnow() {
    assertTrue(FusedSoftmax.choose("auto", true));
    assertFalse(FusedSoftmax.choose("auto", false));
    assertFalse(FusedSoftmax.choose(" ND4J ", true));
    assertTrue(FusedSoftmax.choose("vector", true));
    BadInputException missing = assertThrows(BadInputException.class, () -> FusedSoftmax.choose("vector", false));
    assertTrue(missing.getMessage().contains("--add-modules jdk.incubator.vector"), missing.getMessage());
    BadInputException unknown = assertThrows(BadInputException.class, () -> FusedSoftmax.choose("fast", true));
    assertTrue(unknown.getMessage().contains(FusedSoftmax.PROPERTY), unknown.getMessage());
  }

  @Test
  void expIsWithinTwoUlpsAndTheVectorAndScalarFormsAgreeBitForBit() {
    SplitMix64 rng = new SplitMix64(5);
    float[] xs = new float[4096];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = (float) (-87.0 + 88.0 * rng.nextDouble()); // what the kernel sees: x <= 0, up to rounding
    }
    xs[0] = 0f;
    xs[1] = -0f;
    xs[2] = 1e-8f;
    xs[3] = -87f;
    float[] lanes = VectorSoftmax.expLanes(xs);
    for (int i = 0; i < xs.length; i++) {
      float scalar = VectorSoftmax.exp(xs[i]);
      assertEquals(Float.floatToRawIntBits(scalar), Float.floatToRawIntBits(lanes[i]), "exp(" + xs[i] + "): lanes differ from scalar");
      double exact = Math.exp(xs[i]);
      assertTrue(Math.abs(scalar - exact) <= 2 * Math.ulp((float) exact), "exp(" + xs[i] + ") = " + scalar + ", not " + exact);
    }
  }

  @Test
  void expIsZeroForMaskedScoresAndKeepsNaN() {
    float[] xs = {-88f, -100f, (float) BlockMask.MASKED, Float.NEGATIVE_INFINITY, Float.NaN, -88f, -1e30f, Float.NaN,
        -88f, -88f, -88f, -88f, -88f, -88f, -88f, -88f};
    float[] lanes = VectorSoftmax.expLanes(xs);
    for (int i = 0; i < xs.length; i++) {
      float scalar = VectorSoftmax.exp(xs[i]);
      if (Float.isNaN(xs[i])) {
        assertTrue(Float.isNaN(scalar) && Float.isNaN(lanes[i]), "NaN must stay NaN");
      } else {
        assertEquals(0f, scalar, "exp(" + xs[i] + ")");
        assertEquals(0f, lanes[i], "exp(" + xs[i] + ") in lanes");
      }
    }
  }

  static Stream<Arguments> pairs() {
    return Stream.of(
        // heads, kvHeads, queries, keys, headDim, where the queries are against the keys, threads
        Arguments.of(8, 4, 64, 64, 64, Layout.AFTER, 1),
        Arguments.of(8, 4, 64, 64, 64, Layout.DIAGONAL, 1),
        Arguments.of(8, 4, 256, 256, 64, Layout.DIAGONAL, 2),
        Arguments.of(8, 4, 128, 64, 64, Layout.PACKED_AFTER, 2),
        Arguments.of(4, 2, 37, 131, 16, Layout.DIAGONAL, 2),
        Arguments.of(4, 2, 37, 131, 16, Layout.PACKED_AFTER, 1),
        Arguments.of(2, 1, 5, 3, 8, Layout.DIAGONAL, 1),
        Arguments.of(3, 3, 9, 1, 4, Layout.AFTER, 1));
  }

  /** Where the query block sits against the second key block. */
  enum Layout {
    /** All keys earlier, one example: nothing masked. */
    AFTER,
    /** The same positions, packed examples of 7 tokens: causal and segment masks. */
    DIAGONAL,
    /** All keys earlier, packed examples of 7 tokens: most query rows see no key of the block at all. */
    PACKED_AFTER
  }

  @ParameterizedTest(name = "heads={0} kv={1} queries={2} keys={3} d={4} {5} threads={6}")
  @MethodSource("pairs")
  void vectorKernelEqualsNd4jPasses(int heads, int kvHeads, int queries, int keys, int headDim, Layout layout,
      int threads) {
    SplitMix64 rng = new SplitMix64(queries * 31L + keys);
    INDArray q = TestTensors.random(rng, DataType.FLOAT, 1.0, heads, queries, headDim);
    INDArray kEarly = TestTensors.random(rng, DataType.FLOAT, 1.0, kvHeads, keys, headDim);
    INDArray vEarly = TestTensors.random(rng, DataType.FLOAT, 1.0, kvHeads, keys, headDim);
    INDArray k = TestTensors.random(rng, DataType.FLOAT, 3.0, kvHeads, keys, headDim);
    INDArray v = TestTensors.random(rng, DataType.FLOAT, 1.0, kvHeads, keys, headDim);
    INDArray dOut = TestTensors.random(rng, DataType.FLOAT, 1.0, heads, queries, headDim);
    // The first key block is fully visible; the second is masked by the layout, so the carry from the first
    // must be rescaled, and rows that see nothing of the second must keep what the first gave them.
    TokenBlock queryBlock = switch (layout) {
      case AFTER -> TokenBlock.contiguous(keys, queries);
      case DIAGONAL -> packed(0, queries);
      case PACKED_AFTER -> packed(keys, queries);
    };
    TokenBlock keyBlock = layout == Layout.AFTER ? TokenBlock.contiguous(0, keys) : packed(0, keys);
    BlockMask mask = BlockMask.between(queryBlock, keyBlock, true, DataType.FLOAT);
    assertEquals(layout == Layout.AFTER ? BlockMask.Kind.FULL : BlockMask.Kind.PARTIAL, mask.kind());
    double scale = 1.0 / Math.sqrt(headDim);

    int threadsBefore = ComputeThreads.perOperation();
    ComputeThreads.perOperation(threads);
    try {
      long passes = FusedSoftmax.PASSES.sum();
      Result reference = run(false, q, kEarly, vEarly, k, v, dOut, mask, scale);
      assertEquals(passes, FusedSoftmax.PASSES.sum(), "the reference must not run the vector kernel");
      Result vector = run(true, q, kEarly, vEarly, k, v, dOut, mask, scale);
      assertEquals(passes + 4, FusedSoftmax.PASSES.sum(), "two forward passes and two backward passes");
      String[] names = {"max", "denominator", "numerator", "dq", "dk", "dv"};
      for (int i = 0; i < names.length; i++) {
        double diff = relativeDiff(reference.arrays[i], vector.arrays[i]);
        assertTrue(diff <= TOLERANCE, names[i] + " differs by " + diff + " of its largest magnitude");
      }
    } finally {
      ComputeThreads.perOperation(threadsBefore);
    }
  }

  private record Result(INDArray[] arrays) {}

  private static Result run(boolean vectorKernel, INDArray q, INDArray kEarly, INDArray vEarly, INDArray k, INDArray v,
      INDArray dOut, BlockMask mask, double scale) {
    boolean before = FusedSoftmax.use(vectorKernel);
    try {
      int heads = (int) q.size(0);
      int queries = (int) q.size(1);
      int headDim = (int) q.size(2);
      OnlineSoftmaxCarry carry = OnlineSoftmaxCarry.start(heads, queries, headDim, DataType.FLOAT);
      assertTrue(BlockAttention.forward(q, kEarly, vEarly, BlockMask.full(), carry, scale));
      assertTrue(BlockAttention.forward(q, k, v, mask, carry, scale));
      INDArray out = carry.output();
      INDArray lse = carry.logSumExp();
      INDArray delta = BlockAttention.delta(out, dOut);
      INDArray dq = q.ulike();
      INDArray dk = k.ulike();
      INDArray dv = v.ulike();
      dq.assign(0);
      dk.assign(0);
      dv.assign(0);
      assertTrue(BlockAttention.backward(q, k, v, dOut, lse, delta, mask, dq, dk, dv, scale));
      return new Result(new INDArray[] {carry.max(), carry.denominator(), carry.numerator(), dq, dk, dv});
    } finally {
      FusedSoftmax.use(before);
    }
  }

  /** Positions from {@code start}; every seventh token starts a new packed example (its own segment). */
  private static TokenBlock packed(int start, int tokens) {
    int[] positions = new int[tokens];
    int[] segments = new int[tokens];
    for (int t = 0; t < tokens; t++) {
      positions[t] = start + t;
      segments[t] = (start + t) / 7;
    }
    return new TokenBlock(positions, segments);
  }

  private static double relativeDiff(INDArray expected, INDArray actual) {
    assertEquals(expected.length(), actual.length());
    double largest = Math.max(1e-30, expected.amaxNumber().doubleValue());
    double worst = expected.sub(actual).amaxNumber().doubleValue();
    assertFalse(Double.isNaN(worst), "NaN in the vector kernel's result");
    return worst / largest;
  }
}

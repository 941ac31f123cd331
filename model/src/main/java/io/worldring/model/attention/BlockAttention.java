package io.worldring.model.attention;

import io.worldring.model.NativeMemory;
import io.worldring.model.Scratch;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Attention of one query block against one key/value block: the inner step of RingAttention.
 *
 * <p>Forward folds the pair into an {@link OnlineSoftmaxCarry}:
 * <pre>
 *   S  = Q K^T * scale (+ mask)
 *   m' = max(m, rowmax S);  P = exp(S - m')
 *   l  = l exp(m - m') + rowsum P;   o = o exp(m - m') + P V;   m = m'
 * </pre>
 * Backward recomputes P from the saved log-sum-exp and returns this pair's contributions:
 * <pre>
 *   P = exp(S - lse);  dV += P^T dO;  dP = dO V^T;  dS = P (dP - D)
 *   dQ += dS K scale;  dK += dS^T Q scale          (D = rowsum(dO * O))
 * </pre>
 * Grouped-query attention without copies: the g query heads that share a key/value head are stacked
 * into one matrix, so Q [heads, queries, headDim] is viewed as [kvHeads, g * queries, headDim] and each
 * product is one batched matmul over key/value heads.
 *
 * <p>All tensors are row-major and contiguous; every operation runs in the tensors' own type, so the
 * same code runs in fp32 for training and fp64 for gradient checks.
 *
 * <p>The matmuls are ND4J's (BLAS). The element-wise work between them (mask bias, row max, exp, row sums,
 * the carry's rescale; backward's exp and dS) runs, for fp32 on the CPU backend, as one SIMD sweep per row
 * in {@link VectorSoftmax}, chosen by {@link FusedSoftmax}; otherwise as ND4J's separate passes, which stay
 * the reference the vector kernel is tested against.
 */
public final class BlockAttention {
  /** Each pair's scores and probabilities are temporaries: they live in a reused scratch workspace. */
  static final String WORKSPACE = "block-attention";

  private BlockAttention() {}

  /**
   * The softmax kernel fp32 pairs use in this JVM: "vector" ({@link VectorSoftmax}, one SIMD sweep per row)
   * or "nd4j" (ND4J's separate passes). See {@link FusedSoftmax} for how it is chosen.
   */
  public static String softmaxKernel() {
    return FusedSoftmax.kernel();
  }

  /**
   * Checks the system property {@code worldring.attention.kernel} without starting ND4J, so a command line
   * can refuse a bad value before it starts work.
   *
   * @throws io.worldring.model.BadInputException naming the property, when its value is unknown or asks
   *     for the vector kernel in a JVM without the module
   */
  public static void checkKernelSetting() {
    FusedSoftmax.checkSetting();
  }

  /**
   * Folds the pair (q block, k/v block) into {@code carry}. Returns false, doing nothing, when the mask
   * skips the pair.
   *
   * @param q [heads, queries, headDim]
   * @param k [kvHeads, keys, headDim]
   * @param v [kvHeads, keys, headDim]
   */
  public static boolean forward(INDArray q, INDArray k, INDArray v, BlockMask mask, OnlineSoftmaxCarry carry, double scale) {
    if (mask.skipped()) {
      return false;
    }
    try (MemoryWorkspace ws = Scratch.open(WORKSPACE)) {
      forwardPair(q, k, v, mask, carry, scale);
    }
    return true;
  }

  private static void forwardPair(INDArray q, INDArray k, INDArray v, BlockMask mask, OnlineSoftmaxCarry carry, double scale) {
    int heads = (int) q.size(0);
    int queries = (int) q.size(1);
    int headDim = (int) q.size(2);
    int kvHeads = (int) k.size(0);
    int keys = (int) k.size(1);
    int group = heads / kvHeads;

    INDArray qg = q.reshape(kvHeads, (long) group * queries, headDim); // [kvHeads, g * queries, headDim]
    INDArray p = scores(qg, k, scale); // [kvHeads, g * queries, keys]
    INDArray bias = mask.kind() == BlockMask.Kind.PARTIAL ? mask.bias() : null; // [queries, keys]
    INDArray og = carry.numerator().reshape(kvHeads, (long) group * queries, headDim); // [kvHeads, g * queries, headDim]
    if (!FusedSoftmax.forward(p, bias, heads * queries, keys, queries, carry.max(), carry.denominator(), carry.numerator(),
        headDim)) {
      foldSoftmax(p, bias, heads, queries, keys, headDim, carry);
    }
    Nd4j.exec(new Mmul(p, v, og, 1.0, 1.0, MMulTranspose.allFalse()));
  }

  /** ND4J's passes for {@link VectorSoftmax#forward}: the reference, and the path for fp64. */
  private static void foldSoftmax(INDArray p, INDArray bias, int heads, int queries, int keys, int headDim,
      OnlineSoftmaxCarry carry) {
    if (bias != null) {
      p.reshape(heads, queries, keys).addi(bias); // bias [queries, keys] broadcast over heads
    }
    INDArray p2 = p.reshape((long) heads * queries, keys); // [heads * queries, keys]
    INDArray m = carry.max(); // [heads * queries]
    INDArray mNew = Transforms.max(m, p2.max(1), true); // [heads * queries]
    p2.subiColumnVector(mNew);
    Transforms.exp(p2, false);
    INDArray correction = Transforms.exp(m.sub(mNew), false); // [heads * queries]

    carry.denominator().muli(correction).addi(p2.sum(1));
    INDArray o = carry.numerator().reshape((long) heads * queries, headDim); // [heads * queries, headDim]
    o.muliColumnVector(correction);
    m.assign(mNew);
  }

  /**
   * Adds this pair's gradient contributions to {@code dq}, {@code dk} and {@code dv}. Returns false,
   * doing nothing, when the mask skips the pair.
   *
   * @param q [heads, queries, headDim]
   * @param k [kvHeads, keys, headDim]
   * @param v [kvHeads, keys, headDim]
   * @param dOut gradient of the attention output, [heads, queries, headDim]
   * @param lse saved log-sum-exp of the query rows, [heads * queries]
   * @param delta rowsum(dOut * out), [heads * queries]; see {@link #delta}
   * @param dq accumulator, [heads, queries, headDim]
   * @param dk accumulator, [kvHeads, keys, headDim]
   * @param dv accumulator, [kvHeads, keys, headDim]
   */
  public static boolean backward(INDArray q, INDArray k, INDArray v, INDArray dOut, INDArray lse, INDArray delta,
      BlockMask mask, INDArray dq, INDArray dk, INDArray dv, double scale) {
    if (mask.skipped()) {
      return false;
    }
    try (MemoryWorkspace ws = Scratch.open(WORKSPACE)) {
      backwardPair(q, k, v, dOut, lse, delta, mask, dq, dk, dv, scale);
    }
    return true;
  }

  private static void backwardPair(INDArray q, INDArray k, INDArray v, INDArray dOut, INDArray lse, INDArray delta,
      BlockMask mask, INDArray dq, INDArray dk, INDArray dv, double scale) {
    int heads = (int) q.size(0);
    int queries = (int) q.size(1);
    int headDim = (int) q.size(2);
    int kvHeads = (int) k.size(0);
    int keys = (int) k.size(1);
    int group = heads / kvHeads;
    long rows = (long) group * queries;

    INDArray qg = q.reshape(kvHeads, rows, headDim); // [kvHeads, g * queries, headDim]
    INDArray dOutG = dOut.reshape(kvHeads, rows, headDim); // [kvHeads, g * queries, headDim]
    INDArray dqG = dq.reshape(kvHeads, rows, headDim); // [kvHeads, g * queries, headDim]

    INDArray p = scores(qg, k, scale); // [kvHeads, g * queries, keys]
    INDArray bias = mask.kind() == BlockMask.Kind.PARTIAL ? mask.bias() : null; // [queries, keys]
    int rowCount = heads * queries;
    if (!FusedSoftmax.probabilities(p, bias, rowCount, keys, queries, lse)) {
      if (bias != null) {
        p.reshape(heads, queries, keys).addi(bias); // bias [queries, keys] broadcast over heads
      }
      INDArray p2 = p.reshape(rowCount, keys); // [heads * queries, keys]
      p2.subiColumnVector(lse);
      Transforms.exp(p2, false);
    }

    Nd4j.exec(new Mmul(p, dOutG, dv, 1.0, 1.0, MMulTranspose.builder().transposeA(true).build()));
    INDArray ds = Nd4j.matmul(dOutG, v, null, false, true, false); // dP, [kvHeads, g * queries, keys]
    if (!FusedSoftmax.scoreGradient(ds, p, delta, rowCount, keys)) {
      ds.reshape(rowCount, keys).subiColumnVector(delta);
      ds.muli(p); // dS = P (dP - D)
    }
    Nd4j.exec(new Mmul(ds, k, dqG, scale, 1.0, MMulTranspose.allFalse()));
    Nd4j.exec(new Mmul(ds, qg, dk, scale, 1.0, MMulTranspose.builder().transposeA(true).build()));
  }

  /**
   * The most temporary bytes one pair needs: scores and probabilities (or dP and dS in backward), each
   * [heads, queries, keys]. Fixed by the tile sizes, whatever the sequence length.
   */
  public static long scratchBytes(INDArray q, INDArray k) {
    return 2L * q.size(0) * q.size(1) * k.size(1) * q.dataType().width();
  }

  /** D = rowsum(dOut * out), [heads * queries]; computed once per query block before backward. */
  public static INDArray delta(INDArray out, INDArray dOut) {
    long rows = out.size(0) * out.size(1);
    INDArray product = out.mul(dOut); // [heads, queries, headDim]
    INDArray delta = product.reshape(rows, out.size(2)).sum(1); // [heads * queries]
    NativeMemory.release(product);
    return delta;
  }

  /**
   * S = scale Q K^T, [kvHeads, g * queries, keys], the scale applied by the matmul itself (no pass over Q or S).
   * The mask's bias is added by the softmax pass that follows.
   */
  private static INDArray scores(INDArray qg, INDArray k, double scale) {
    INDArray s = Nd4j.createUninitialized(qg.dataType(), qg.size(0), qg.size(1), k.size(1)); // [kvHeads, g * queries, keys]
    Nd4j.exec(new Mmul(qg, k, s, scale, 0.0, MMulTranspose.builder().transposeB(true).build()));
    return s;
  }
}

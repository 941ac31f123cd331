package io.worldring.model.attention;

import io.worldring.model.BadInputException;
import io.worldring.model.ComputeThreads;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.LongAdder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Chooses between {@link VectorSoftmax} (one SIMD sweep per row) and ND4J's separate passes for the
 * softmax part of a tile pair, and hands the vector kernel ND4J's native memory.
 *
 * <p>The vector kernel runs when all of these hold; otherwise {@link BlockAttention} takes the ND4J path,
 * which stays the reference:
 * <ul>
 *   <li>the JVM has the {@code jdk.incubator.vector} module ({@code --add-modules jdk.incubator.vector};
 *       the {@code worldring} launcher and the test JVMs add it);</li>
 *   <li>the system property {@code worldring.attention.kernel} is {@code auto} (the default) or
 *       {@code vector}; {@code nd4j} turns the vector kernel off, and {@code vector} without the module is
 *       an error;</li>
 *   <li>ND4J runs on its CPU backend (the kernel reads host memory; on CUDA the arrays live on the GPU);</li>
 *   <li>the tensors are fp32 (gradient checks in fp64 keep the ND4J path) in dense row-major buffers of
 *       their own.</li>
 * </ul>
 * Rows are split over the threads one operation may use ({@link ComputeThreads}), as ND4J's own kernels are.
 */
final class FusedSoftmax {
  /** The system property that picks the kernel: {@code auto}, {@code vector} or {@code nd4j}. */
  static final String PROPERTY = "worldring.attention.kernel";
  private static final String MODULE = "jdk.incubator.vector";
  /** Rows below which one thread does the whole tile: splitting costs more than it saves. */
  private static final int ROWS_PER_THREAD = 64;

  /** Tile passes the vector kernel has run in this JVM: proof for tests that it ran, not ND4J's path. */
  static final LongAdder PASSES = new LongAdder();

  /** The choice, made when first needed: it starts ND4J, which {@link #checkSetting} must not. */
  private static final class Choice {
    static volatile boolean enabled = choose(setting(), moduleLoaded()) && Nd4j.getEnvironment().isCPU();
  }

  private FusedSoftmax() {}

  /** "vector" or "nd4j": the kernel fp32 tile pairs use in this JVM. */
  static String kernel() {
    return Choice.enabled ? "vector" : "nd4j";
  }

  /** Whether the vector kernel may run here at all. */
  static boolean moduleLoaded() {
    return ModuleLayer.boot().findModule(MODULE).isPresent();
  }

  /** For tests that compare both kernels in one JVM; returns the previous setting. */
  static boolean use(boolean vector) {
    if (vector && !moduleLoaded()) {
      throw new IllegalStateException("the vector attention kernel needs --add-modules " + MODULE);
    }
    if (vector && !Nd4j.getEnvironment().isCPU()) {
      throw new IllegalStateException("the vector attention kernel works on host memory: ND4J's CPU backend only");
    }
    boolean before = Choice.enabled;
    Choice.enabled = vector;
    return before;
  }

  private static String setting() {
    return System.getProperty(PROPERTY, "auto");
  }

  /** Throws what class initialisation would, for a bad {@link #PROPERTY}, without loading ND4J. */
  static void checkSetting() {
    choose(setting(), moduleLoaded());
  }

  /** Whether {@code property} (the value of {@link #PROPERTY}) picks the vector kernel. */
  static boolean choose(String property, boolean module) {
    String choice = property.trim().toLowerCase(Locale.ROOT);
    switch (choice) {
      case "auto":
        return module;
      case "nd4j":
        return false;
      case "vector":
        if (!module) {
          throw new BadInputException("-D" + PROPERTY + "=vector needs the JVM option --add-modules " + MODULE);
        }
        return true;
      default:
        throw new BadInputException("-D" + PROPERTY + " must be auto, vector or nd4j, not '" + choice + "'");
    }
  }

  /**
   * {@link VectorSoftmax#forward} on s [rows, keys], bias [queries, keys] or null, and the carry's m, l, o.
   * Returns false, having done nothing, when the vector kernel does not take these arrays.
   */
  static boolean forward(INDArray s, INDArray bias, int rows, int keys, int queries, INDArray m, INDArray l, INDArray o,
      int headDim) {
    if (!Choice.enabled) {
      return false;
    }
    ByteBuffer sb = bytes(s);
    ByteBuffer biasBytes = bias == null ? null : bytes(bias);
    ByteBuffer mb = bytes(m);
    ByteBuffer lb = bytes(l);
    ByteBuffer ob = bytes(o);
    if (anyMissing(sb, mb, lb, ob) || (bias != null && biasBytes == null)) {
      return false;
    }
    split(rows, (from, to) -> VectorSoftmax.forward(sb, biasBytes, from, to, keys, queries, mb, lb, ob, headDim));
    return true;
  }

  /** {@link VectorSoftmax#probabilities}, or false (nothing done) when the vector kernel does not take the arrays. */
  static boolean probabilities(INDArray s, INDArray bias, int rows, int keys, int queries, INDArray lse) {
    if (!Choice.enabled) {
      return false;
    }
    ByteBuffer sb = bytes(s);
    ByteBuffer biasBytes = bias == null ? null : bytes(bias);
    ByteBuffer lseBytes = bytes(lse);
    if (anyMissing(sb, lseBytes) || (bias != null && biasBytes == null)) {
      return false;
    }
    split(rows, (from, to) -> VectorSoftmax.probabilities(sb, biasBytes, from, to, keys, queries, lseBytes));
    return true;
  }

  /** {@link VectorSoftmax#scoreGradient}, or false (nothing done) when the vector kernel does not take the arrays. */
  static boolean scoreGradient(INDArray dp, INDArray p, INDArray delta, int rows, int keys) {
    if (!Choice.enabled) {
      return false;
    }
    ByteBuffer dpb = bytes(dp);
    ByteBuffer pb = bytes(p);
    ByteBuffer db = bytes(delta);
    if (anyMissing(dpb, pb, db)) {
      return false;
    }
    split(rows, (from, to) -> VectorSoftmax.scoreGradient(dpb, pb, db, from, to, keys));
    return true;
  }

  private static boolean anyMissing(ByteBuffer... buffers) {
    for (ByteBuffer b : buffers) {
      if (b == null) {
        return true;
      }
    }
    return false;
  }

  private interface Rows {
    void run(int from, int to);
  }

  private static void split(int rows, Rows work) {
    PASSES.increment();
    int threads = Math.min(ComputeThreads.perOperation(), rows / ROWS_PER_THREAD);
    if (threads <= 1) {
      work.run(0, rows);
      return;
    }
    List<ForkJoinTask<?>> parts = new ArrayList<>(threads - 1);
    int per = (rows + threads - 1) / threads;
    for (int t = 1; t < threads; t++) {
      int from = t * per;
      int to = Math.min(rows, from + per);
      if (from < to) {
        parts.add(ForkJoinPool.commonPool().submit(() -> work.run(from, to)));
      }
    }
    work.run(0, Math.min(rows, per));
    parts.forEach(ForkJoinTask::join);
  }

  /**
   * The array's floats as a view of its native memory in native byte order, or null when it is not fp32 or
   * not dense from the start of its buffer (how ND4J offsets a view's buffer is not part of its API).
   */
  private static ByteBuffer bytes(INDArray a) {
    if (a.dataType() != DataType.FLOAT || !rowMajorDense(a) || a.offset() != 0 || a.data().offset() != 0
        || a.length() == 0 || a.length() > a.data().length() || a.length() * Float.BYTES > Integer.MAX_VALUE) {
      return null;
    }
    int length = Math.toIntExact(a.length() * Float.BYTES);
    ByteBuffer all = a.data().asNio();
    if (all == null || !all.isDirect() || all.capacity() < length) {
      return null;
    }
    return all.duplicate().position(0).limit(length).slice().order(ByteOrder.nativeOrder());
  }

  /** Row-major with no gaps. Axes of size 1 may have any stride (ND4J gives them 1, not the default). */
  private static boolean rowMajorDense(INDArray a) {
    long expected = 1;
    for (int axis = a.rank() - 1; axis >= 0; axis--) {
      long size = a.size(axis);
      if (size != 1 && a.stride(axis) != expected) {
        return false;
      }
      expected *= size;
    }
    return true;
  }
}

package io.worldring.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Frees tensors' native memory as soon as their owner is done with them. ND4J otherwise frees an array
 * only after the garbage collector has found its small Java wrapper, which on a busy step is much later:
 * every allocation then comes from fresh, page-faulting memory, which measured 4-10x slower than reusing
 * freed memory. Views (reshapes, slices) and null are skipped; their owner frees the buffer.
 */
public final class NativeMemory {
  private NativeMemory() {}

  /** Bytes of the arrays' elements (freed ones count 0). */
  public static long bytes(INDArray... arrays) {
    long n = 0;
    for (INDArray a : arrays) {
      if (a != null && !a.wasClosed()) {
        n += a.length() * a.dataType().width();
      }
    }
    return n;
  }

  public static void release(INDArray... arrays) {
    for (INDArray a : arrays) {
      if (a != null && !a.wasClosed() && a.closeable()) {
        a.close();
      }
    }
  }
}

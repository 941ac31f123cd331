package io.worldring.model;

import org.nd4j.linalg.factory.Nd4j;

/**
 * How many threads one tensor operation may use. Several devices computing at once on one machine must
 * split its cores between them: (devices computing at once) x (threads per operation) <= cores. Asking
 * for more oversubscribes the cores, and on two cores a ring of four devices then ran 4x slower.
 * Process-wide, as ND4J's settings are.
 */
public final class ComputeThreads {
  private static volatile int current = -1; // -1: ND4J's own default (the cores, or OMP_NUM_THREADS)

  private ComputeThreads() {}

  /** Sets the threads per operation for ND4J's own kernels and for BLAS. */
  public static synchronized void perOperation(int threads) {
    int n = Math.max(1, threads);
    Nd4j.getEnvironment().setMaxThreads(n);
    Nd4j.getEnvironment().setMaxMasterThreads(n);
    Nd4j.factory().blas().setMaxThreads(n);
    current = n;
  }

  /** The threads per operation last set here, or BLAS's own count if never set. */
  public static int perOperation() {
    return current > 0 ? current : Nd4j.factory().blas().getMaxThreads();
  }

  /** Threads per operation when {@code concurrent} devices compute at once on this machine's cores. */
  public static int share(int concurrent) {
    return Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, concurrent));
  }
}

package io.worldring.ops.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** ND4J sgemm into a preallocated result: the practical matmul limit of this machine. */
public final class GemmBench {
  private GemmBench() {}

  /** FLOPs one timed sample aims for: a small gemm alone is too short to time. */
  private static final double SAMPLE_FLOPS = 2e9;

  /**
   * GFLOP/s of C[m,n] = A[m,k] B[k,n], median of {@code repeats} samples. A sample is as many gemms back to
   * back as make about 2 GFLOP (one, for large shapes), so a small shape's rate is not one timer tick's noise.
   */
  public static ObjectNode measure(ObjectNode out, int m, int k, int n, int repeats) {
    INDArray a = Nd4j.rand(DataType.FLOAT, m, k);
    INDArray b = Nd4j.rand(DataType.FLOAT, k, n);
    INDArray c = Nd4j.zeros(DataType.FLOAT, m, n);
    double flops = 2.0 * m * k * n;
    int perSample = (int) Math.max(1, Math.min(10_000, Math.round(SAMPLE_FLOPS / flops)));
    double seconds = Timing.medianSeconds(() -> {
      for (int i = 0; i < perSample; i++) {
        Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
      }
    }, 3, repeats) / perSample;
    out.put("m", m).put("k", k).put("n", n).put("gemms_per_sample", perSample);
    out.put("median_seconds", seconds);
    out.put("gflops", 2.0 * m * k * n / seconds / 1e9);
    return out;
  }
}

package io.worldring.ops.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** ND4J sgemm into a preallocated result: the practical matmul limit of this machine. */
public final class GemmBench {
  private GemmBench() {}

  /** GFLOP/s of C[m,n] = A[m,k] B[k,n], median of {@code repeats}. */
  public static ObjectNode measure(ObjectNode out, int m, int k, int n, int repeats) {
    INDArray a = Nd4j.rand(DataType.FLOAT, m, k);
    INDArray b = Nd4j.rand(DataType.FLOAT, k, n);
    INDArray c = Nd4j.zeros(DataType.FLOAT, m, n);
    double seconds = Timing.medianSeconds(() -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0), 3, repeats);
    out.put("m", m).put("k", k).put("n", n);
    out.put("median_seconds", seconds);
    out.put("gflops", 2.0 * m * k * n / seconds / 1e9);
    return out;
  }
}

package io.worldring.model.vision;

import io.worldring.model.NativeMemory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Exact nearest code by squared Euclidean distance, lowest index on ties: the same answer as comparing
 * sum_i (z_i - e_i)^2 in double for every code, at the cost of one matrix product.
 *
 * <p>The fast form ||e||^2 - 2 z.e (||z||^2 is the same for every code) is computed in float with a
 * matrix product, whose rounding can reorder codes whose distances are nearly equal; VQGAN's reference
 * code (taming, LWM) takes the float argmin as it is. Here every code whose fast distance is within the
 * float rounding bound of the best, (d + 4) 2^-23 (||z||^2 + max ||e||^2), is compared again in double, so
 * the result does not depend on how BLAS orders its sums (it is reproducible across thread counts too).
 */
public final class NearestCode {
  /** Distance rows per matrix product, so a [points, codes] block stays near 32 MiB. */
  private static final long BLOCK_ELEMENTS = 1L << 23;

  private final INDArray codebook; // [codes, dim], float
  private final float[] codes; // [codes * dim], row-major copy for the exact comparisons
  private final double[] squaredNorms; // [codes]
  private final double maxSquaredNorm;
  private final int count;
  private final int dim;

  /** @param codebook [codes, dim] */
  public NearestCode(INDArray codebook) {
    if (codebook.rank() != 2) {
      throw new IllegalArgumentException("codebook must be [codes, dim], got " + java.util.Arrays.toString(codebook.shape()));
    }
    this.codebook = codebook.castTo(DataType.FLOAT).dup('c');
    this.count = (int) codebook.size(0);
    this.dim = (int) codebook.size(1);
    this.codes = this.codebook.data().asFloat();
    this.squaredNorms = new double[count];
    double max = 0;
    for (int j = 0; j < count; j++) {
      double s = 0;
      for (int i = 0; i < dim; i++) {
        double e = codes[j * dim + i];
        s += e * e;
      }
      squaredNorms[j] = s;
      max = Math.max(max, s);
    }
    this.maxSquaredNorm = max;
  }

  public int codes() {
    return count;
  }

  public int dim() {
    return dim;
  }

  /** @param points [n, dim]; returns the index of the nearest code for each row */
  public int[] nearest(INDArray points) {
    return nearest(points, null);
  }

  /**
   * As {@link #nearest(INDArray)}, also writing each row's exact squared distance to its code into
   * {@code squaredDistances} (length n) when it is not null.
   */
  public int[] nearest(INDArray points, double[] squaredDistances) {
    if (points.rank() != 2 || points.size(1) != dim) {
      throw new IllegalArgumentException("points must be [n, " + dim + "], got " + java.util.Arrays.toString(points.shape()));
    }
    INDArray rows = points.castTo(DataType.FLOAT).dup('c'); // [n, dim]
    int[] out = nearest(rows, rows.data().asFloat(), squaredDistances);
    NativeMemory.release(rows);
    return out;
  }

  /**
   * As {@link #nearest(INDArray, double[])} for points already in float and row-major, given both as an
   * array and as their values (so k-means can reuse them across iterations without copying).
   *
   * @param rows [n, dim], float, row-major
   * @param z the same values, [n * dim]
   */
  int[] nearest(INDArray rows, float[] z, double[] squaredDistances) {
    int n = (int) rows.size(0);
    int[] out = new int[n];
    int block = (int) Math.max(1, Math.min(n, BLOCK_ELEMENTS / Math.max(1, count)));
    for (int start = 0; start < n; start += block) {
      int len = Math.min(block, n - start);
      INDArray zBlock = rows.get(NDArrayIndex.interval(start, start + len), NDArrayIndex.all()); // [len, dim]
      INDArray dots = Nd4j.gemm(zBlock, codebook, false, true); // [len, codes]
      float[] d = (dots.ordering() == 'c' ? dots : dots.dup('c')).data().asFloat(); // row-major, as indexed below
      NativeMemory.release(dots);
      for (int r = 0; r < len; r++) {
        int row = start + r;
        out[row] = pick(z, row, d, r * count);
        if (squaredDistances != null) {
          squaredDistances[row] = exactDistance(z, row, out[row]);
        }
      }
    }
    return out;
  }

  /** The exact nearest code of row {@code row}, given its dot products with every code at {@code dots[offset..]}. */
  private int pick(float[] z, int row, float[] dots, int offset) {
    double zz = 0;
    for (int i = 0; i < dim; i++) {
      double x = z[row * dim + i];
      zz += x * x;
    }
    double best = Double.POSITIVE_INFINITY;
    for (int j = 0; j < count; j++) {
      best = Math.min(best, squaredNorms[j] - 2.0 * dots[offset + j]);
    }
    // twice a generous bound on the rounding of one fast distance: the best's and the candidate's
    double margin = 2 * (dim + 4) * 0x1p-23 * (zz + maxSquaredNorm);
    int bestIndex = -1;
    double bestExact = Double.POSITIVE_INFINITY;
    for (int j = 0; j < count; j++) {
      if (squaredNorms[j] - 2.0 * dots[offset + j] <= best + margin) {
        double exact = exactDistance(z, row, j);
        if (exact < bestExact) {
          bestExact = exact;
          bestIndex = j;
        }
      }
    }
    if (bestIndex < 0) {
      throw new IllegalArgumentException("row " + row + " is not a finite vector");
    }
    return bestIndex;
  }

  /** sum_i (z_i - e_i)^2 in double, in index order: the definition the fast path must agree with. */
  double exactDistance(float[] z, int row, int code) {
    double s = 0;
    for (int i = 0; i < dim; i++) {
      double diff = (double) z[row * dim + i] - codes[code * dim + i];
      s += diff * diff;
    }
    return s;
  }

  /** The code vectors of {@code indices}: [indices.length, dim]. */
  public INDArray lookup(int[] indices) {
    float[] out = new float[indices.length * dim];
    for (int r = 0; r < indices.length; r++) {
      int j = indices[r];
      if (j < 0 || j >= count) {
        throw new IllegalArgumentException("code " + j + " at position " + r + " is outside 0.." + (count - 1));
      }
      System.arraycopy(codes, j * dim, out, r * dim, dim);
    }
    return Nd4j.create(out, new long[] {indices.length, dim}, 'c');
  }
}

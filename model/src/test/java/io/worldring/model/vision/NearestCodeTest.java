package io.worldring.model.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.worldring.model.SplitMix64;
import io.worldring.model.TestTensors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The codebook lookup against brute force: every code's sum of squared differences in double, lowest index on ties. */
class NearestCodeTest {
  private final SplitMix64 rng = new SplitMix64(5);

  static int[] bruteForce(INDArray points, INDArray codebook) {
    float[] z = points.castTo(DataType.FLOAT).dup('c').data().asFloat();
    float[] e = codebook.castTo(DataType.FLOAT).dup('c').data().asFloat();
    int d = (int) codebook.size(1);
    int[] out = new int[(int) points.size(0)];
    for (int r = 0; r < out.length; r++) {
      double best = Double.POSITIVE_INFINITY;
      for (int j = 0; j < codebook.size(0); j++) {
        double s = 0;
        for (int i = 0; i < d; i++) {
          double diff = (double) z[r * d + i] - e[j * d + i];
          s += diff * diff;
        }
        if (s < best) {
          best = s;
          out[r] = j;
        }
      }
    }
    return out;
  }

  @Test
  void randomPointsMatchBruteForce() {
    INDArray codebook = TestTensors.random(rng, DataType.FLOAT, 1, 300, 24);
    INDArray points = TestTensors.random(rng, DataType.FLOAT, 1.2, 500, 24);
    assertArrayEquals(bruteForce(points, codebook), new NearestCode(codebook).nearest(points));
  }

  @Test
  void exactTiesAndDuplicateCodesGoToTheLowestIndex() {
    // codes 2 and 5 are z + d and z - d: exactly equally far from z; code 7 duplicates code 2
    float[][] codes = new float[8][];
    for (int j = 0; j < codes.length; j++) {
      codes[j] = new float[] {10 + j, -10 - j, 3 * j, 7};
    }
    float[] z = {1, 2, 3, 4};
    float[] d = {0.5f, -0.25f, 1, 0};
    for (int i = 0; i < 4; i++) {
      codes[2][i] = z[i] + d[i];
      codes[5][i] = z[i] - d[i];
    }
    codes[7] = codes[2].clone();
    INDArray codebook = Nd4j.createFromArray(codes);
    INDArray points = Nd4j.createFromArray(new float[][] {z, codes[7], codes[5]});
    assertArrayEquals(new int[] {2, 2, 5}, new NearestCode(codebook).nearest(points));
  }

  @Test
  void nearTiesFarFromTheOriginAreStillExact() {
    // ||e||^2 ~ 1e6 per dimension: float rounding of the fast form (~0.1) dwarfs the real differences (~1e-4)
    INDArray codebook = TestTensors.random(rng, DataType.FLOAT, 1e-2, 64, 16).addi(1000);
    INDArray points = TestTensors.random(rng, DataType.FLOAT, 1e-2, 200, 16).addi(1000);
    assertArrayEquals(bruteForce(points, codebook), new NearestCode(codebook).nearest(points));
  }

  @Test
  void lookupReturnsTheCodeVectorsAndDistancesAreExact() {
    INDArray codebook = TestTensors.random(rng, DataType.FLOAT, 1, 50, 6);
    NearestCode nc = new NearestCode(codebook);
    INDArray rows = nc.lookup(new int[] {3, 0, 49, 3});
    assertEquals(codebook.getRow(49), rows.getRow(2));
    assertEquals(codebook.getRow(3), rows.getRow(3));
    double[] dist = new double[4];
    assertArrayEquals(new int[] {3, 0, 49, 3}, nc.nearest(rows, dist));
    assertArrayEquals(new double[4], dist);
  }

  @Test
  void quantizerWorksPerLatentPixel() {
    INDArray codebook = TestTensors.random(rng, DataType.FLOAT, 1, 40, 5);
    INDArray z = TestTensors.random(rng, DataType.FLOAT, 1, 2, 5, 3, 4); // [n, embedDim, height, width]
    VectorQuantizer q = new VectorQuantizer(codebook);
    INDArray codes = q.quantize(z);
    assertArrayEquals(new long[] {2, 3, 4}, codes.shape());
    INDArray pixels = z.permute(0, 2, 3, 1).dup('c').reshape(24, 5);
    assertArrayEquals(bruteForce(pixels, codebook), codes.dup('c').data().asInt());
    INDArray embedded = q.embed(codes); // [2, 5, 3, 4]
    for (int b = 0; b < 2; b++) {
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 4; j++) {
          int code = codes.getInt(b, i, j);
          for (int c = 0; c < 5; c++) {
            assertEquals(codebook.getFloat(code, c), embedded.getFloat(b, c, i, j), 0f);
          }
        }
      }
    }
  }
}

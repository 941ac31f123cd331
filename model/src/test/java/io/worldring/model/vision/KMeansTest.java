package io.worldring.model.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.SplitMix64;
import io.worldring.model.TestTensors;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class KMeansTest {
  /** Points in 4 tight blobs around far-apart centres. */
  private static INDArray blobs(long seed) {
    double[][] centres = {{5, 5, 0}, {-5, 5, 0}, {5, -5, 0}, {0, 0, 9}};
    SplitMix64 rng = new SplitMix64(seed);
    double[][] points = new double[200][3];
    for (int i = 0; i < points.length; i++) {
      for (int d = 0; d < 3; d++) {
        points[i][d] = centres[i % 4][d] + 0.1 * rng.nextGaussian();
      }
    }
    return Nd4j.createFromArray(points).castTo(DataType.FLOAT);
  }

  @Test
  void findsSeparatedBlobs() {
    KMeans.Result r = KMeans.fit(blobs(1), 4, 20, 3);
    assertTrue(r.meanSquaredError() < 0.02, "within-blob variance 0.01, got " + r.meanSquaredError());
    double[][] found = r.centroids().castTo(DataType.DOUBLE).toDoubleMatrix();
    Arrays.sort(found, (a, b) -> Double.compare(a[0] * 100 + a[1] * 10 + a[2], b[0] * 100 + b[1] * 10 + b[2]));
    double[][] expected = {{-5, 5, 0}, {0, 0, 9}, {5, -5, 0}, {5, 5, 0}};
    for (int j = 0; j < 4; j++) {
      for (int d = 0; d < 3; d++) {
        assertEquals(expected[j][d], found[j][d], 0.05, "centroid " + j);
      }
    }
  }

  @Test
  void sameSeedSameCodebookBitForBit() {
    INDArray points = TestTensors.random(new SplitMix64(2), DataType.FLOAT, 1, 500, 6);
    KMeans.Result a = KMeans.fit(points, 16, 10, 42);
    KMeans.Result b = KMeans.fit(points.dup(), 16, 10, 42);
    assertArrayEquals(a.centroids().data().asFloat(), b.centroids().data().asFloat());
    assertEquals(a.meanSquaredError(), b.meanSquaredError());
    KMeans.Result other = KMeans.fit(points, 16, 10, 43);
    assertTrue(!Arrays.equals(a.centroids().data().asFloat(), other.centroids().data().asFloat()), "another seed, another start");
  }

  @Test
  void emptyClustersAreReseededOntoTheWorstFittedPoints() {
    // three distinct values, the first repeated 38 times
    float[][] p = new float[40][];
    for (int i = 0; i < 40; i++) {
      p[i] = i < 38 ? new float[] {0, 0} : new float[] {10 * (i - 37), 0};
    }
    KMeans.Result r = KMeans.fit(Nd4j.createFromArray(p), 3, 5, 1);
    assertEquals(0.0, r.meanSquaredError(), 1e-12, "three distinct values, three centroids");
    KMeans.Result more = KMeans.fit(Nd4j.createFromArray(p), 4, 5, 1);
    assertEquals(0.0, more.meanSquaredError(), 1e-12);
    // k-means++ puts one centroid on each value and the fourth on a duplicate; ties go to the lower index,
    // so that duplicate has no points and is reseeded
    assertTrue(more.reseeded() > 0, "the fourth centroid is empty and reseeded: " + more);
  }
}

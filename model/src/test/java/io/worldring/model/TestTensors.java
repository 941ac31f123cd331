package io.worldring.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Test helpers: random tensors and conversions to plain arrays. */
public final class TestTensors {
  private TestTensors() {}

  public static INDArray random(SplitMix64 rng, DataType type, double std, long... shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    double[] v = new double[Math.toIntExact(n)];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextGaussian() * std;
    }
    return Nd4j.create(v, shape, DataType.DOUBLE).castTo(type);
  }

  public static double[][][] toArray3(INDArray a) {
    INDArray d = a.castTo(DataType.DOUBLE);
    double[][][] out = new double[(int) a.size(0)][(int) a.size(1)][(int) a.size(2)];
    for (int i = 0; i < out.length; i++) {
      for (int j = 0; j < out[i].length; j++) {
        for (int k = 0; k < out[i][j].length; k++) {
          out[i][j][k] = d.getDouble(i, j, k);
        }
      }
    }
    return out;
  }

  /** Largest |a - b| with where it is, for assertion messages. */
  public static String maxDiff(double[][][] expected, INDArray actual, double[] worst) {
    INDArray d = actual.castTo(DataType.DOUBLE);
    double max = 0;
    String at = "";
    for (int i = 0; i < expected.length; i++) {
      for (int j = 0; j < expected[i].length; j++) {
        for (int k = 0; k < expected[i][j].length; k++) {
          double diff = Math.abs(expected[i][j][k] - d.getDouble(i, j, k));
          if (!(diff <= max)) {
            max = diff;
            at = "[" + i + "," + j + "," + k + "] expected " + expected[i][j][k] + " got " + d.getDouble(i, j, k);
          }
        }
      }
    }
    worst[0] = max;
    return "max |diff| " + max + " at " + at;
  }
}

package io.worldring.model.vision;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Peak signal-to-noise ratio of a reconstruction, in dB, on frames in [-1, 1]:
 * PSNR = 10 log10(2^2 / MSE), the peak being the range 2. Pixels p in [0, 255] map to p / 127.5 - 1, so
 * this is the same number as the usual PSNR on 8-bit pixels with peak 255. MSE is the mean over every
 * channel of every pixel (and every frame of a batch); identical frames give +infinity.
 */
public final class Psnr {
  /** The peak-to-peak range of frames in [-1, 1]. */
  public static final double PEAK = 2.0;

  private Psnr() {}

  /** Mean squared difference, accumulated in double. */
  public static double meanSquaredError(INDArray expected, INDArray actual) {
    if (!java.util.Arrays.equals(expected.shape(), actual.shape())) {
      throw new IllegalArgumentException("shapes differ: " + java.util.Arrays.toString(expected.shape()) + " vs "
          + java.util.Arrays.toString(actual.shape()));
    }
    double[] a = expected.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[] b = actual.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      sum += d * d;
    }
    return sum / a.length;
  }

  public static double fromMeanSquaredError(double mse) {
    return 10 * Math.log10(PEAK * PEAK / mse);
  }

  /** PSNR in dB of {@code actual} against {@code expected} (same shapes, values in [-1, 1]). */
  public static double of(INDArray expected, INDArray actual) {
    return fromMeanSquaredError(meanSquaredError(expected, actual));
  }
}

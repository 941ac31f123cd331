package io.worldring.datasets.vision;

/**
 * Separable resampling of float image planes. Shrinking averages each output pixel's exact footprint in the
 * source (area averaging, so no source pixel is skipped and fine detail does not alias); enlarging
 * interpolates bilinearly between pixel centres, clamped at the edges.
 */
final class AreaResampler {
  /**
   * For each output pixel along one axis: the first source pixel it reads and the weights of that pixel
   * and the next ones (summing to 1).
   *
   * @param first [out]
   * @param weights [out][taps]
   */
  private record Taps(int[] first, float[][] weights) {}

  private AreaResampler() {}

  /**
   * @param planes [channels, height, width]
   * @return [channels, outHeight, outWidth]
   */
  static float[] resize(float[] planes, int channels, int height, int width, int outHeight, int outWidth) {
    Taps across = taps(width, outWidth);
    Taps down = taps(height, outHeight);
    float[] wide = new float[channels * height * outWidth]; // [channels, height, outWidth]
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < height; y++) {
        int row = (c * height + y) * width;
        int outRow = (c * height + y) * outWidth;
        for (int x = 0; x < outWidth; x++) {
          float[] w = across.weights[x];
          int from = across.first[x];
          float sum = 0;
          for (int k = 0; k < w.length; k++) {
            sum += w[k] * planes[row + from + k];
          }
          wide[outRow + x] = sum;
        }
      }
    }
    float[] out = new float[channels * outHeight * outWidth]; // [channels, outHeight, outWidth]
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < outHeight; y++) {
        float[] w = down.weights[y];
        int from = down.first[y];
        int outRow = (c * outHeight + y) * outWidth;
        for (int k = 0; k < w.length; k++) {
          int srcRow = (c * height + from + k) * outWidth;
          float wk = w[k];
          for (int x = 0; x < outWidth; x++) {
            out[outRow + x] += wk * wide[srcRow + x];
          }
        }
      }
    }
    return out;
  }

  private static Taps taps(int in, int out) {
    int[] first = new int[out];
    float[][] weights = new float[out][];
    double scale = (double) in / out;
    for (int o = 0; o < out; o++) {
      if (scale >= 1) { // output pixel o covers source [o * scale, (o + 1) * scale)
        double lo = o * scale;
        double hi = Math.min(in, (o + 1) * scale);
        int i0 = (int) Math.floor(lo);
        int i1 = Math.min(in - 1, (int) Math.ceil(hi) - 1);
        first[o] = i0;
        weights[o] = new float[i1 - i0 + 1];
        for (int i = i0; i <= i1; i++) {
          double overlap = Math.min(hi, i + 1) - Math.max(lo, i);
          weights[o][i - i0] = (float) (overlap / (hi - lo));
        }
      } else { // the output pixel's centre in source pixel coordinates
        double src = Math.max(0, Math.min(in - 1, (o + 0.5) * scale - 0.5));
        int i0 = Math.min((int) Math.floor(src), Math.max(0, in - 2));
        double f = src - i0;
        first[o] = i0;
        weights[o] = in == 1 ? new float[] {1f} : new float[] {(float) (1 - f), (float) f};
      }
    }
    return new Taps(first, weights);
  }
}

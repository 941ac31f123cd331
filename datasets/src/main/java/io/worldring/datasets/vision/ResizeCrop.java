package io.worldring.datasets.vision;

import java.awt.image.BufferedImage;

/**
 * LWM's frame preprocessing: resize so the short side is {@code size} (the long side scaled by the same
 * factor, truncated to an integer as LWM's {@code int(size * long / short)}), then crop the centre
 * {@code size x size} (left/top offset rounded down). Resizing is area averaging when shrinking and
 * bilinear when enlarging ({@link AreaResampler}).
 */
public final class ResizeCrop {
  private ResizeCrop() {}

  public static Frame toFrame(BufferedImage image, int size) {
    if (size < 1) {
      throw new IllegalArgumentException("frame size must be positive, got " + size);
    }
    int w = image.getWidth();
    int h = image.getHeight();
    int outW = w < h ? size : (int) ((long) size * w / h);
    int outH = w < h ? (int) ((long) size * h / w) : size;
    float[] planes = planes(image); // [3, h, w]
    float[] resized = w == outW && h == outH ? planes : AreaResampler.resize(planes, 3, h, w, outH, outW); // [3, outH, outW]
    int left = (outW - size) / 2;
    int top = (outH - size) / 2;
    float[] rgb = new float[3 * size * size]; // [3, size, size]
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < size; y++) {
        System.arraycopy(resized, (c * outH + top + y) * outW + left, rgb, (c * size + y) * size, size);
      }
    }
    return new Frame(size, rgb);
  }

  /** @return [3, height, width] in [-1, 1] */
  static float[] planes(BufferedImage image) {
    int[] packed = ImagePixels.rgb(image);
    int plane = packed.length;
    float[] out = new float[3 * plane];
    for (int i = 0; i < plane; i++) {
      int p = packed[i];
      out[i] = Frame.unit((p >> 16) & 0xff);
      out[plane + i] = Frame.unit((p >> 8) & 0xff);
      out[2 * plane + i] = Frame.unit(p & 0xff);
    }
    return out;
  }
}

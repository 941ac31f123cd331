package io.worldring.datasets.vision;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * One square RGB frame as a vision tokenizer sees it: channel-major floats in [-1, 1] (LWM scales bytes by
 * {@code b / 127.5 - 1}), laid out as an INDArray {@code [3, size, size]} in C order, so an adapter can wrap
 * {@link #rgb} without copying it around. Equality is identity (the array is not compared).
 *
 * @param size side in pixels
 * @param rgb [3, size, size]
 */
public record Frame(int size, float[] rgb) {
  public Frame {
    if (size < 1 || rgb.length != 3 * size * size) {
      throw new IllegalArgumentException("a frame of side " + size + " needs " + 3L * size * size + " values, got " + rgb.length);
    }
  }

  /** A square image as it is (no resizing: see {@link ResizeCrop} for images of any size). */
  public static Frame fromImage(BufferedImage square) {
    if (square.getWidth() != square.getHeight()) {
      throw new IllegalArgumentException("a frame is square, the image is " + square.getWidth() + "x" + square.getHeight());
    }
    return new Frame(square.getWidth(), ResizeCrop.planes(square));
  }

  /** A frame of one colour ({@code 0xRRGGBB}). */
  public static Frame filled(int size, int rgb24) {
    float[] rgb = new float[3 * size * size];
    int plane = size * size;
    java.util.Arrays.fill(rgb, 0, plane, unit((rgb24 >> 16) & 0xff));
    java.util.Arrays.fill(rgb, plane, 2 * plane, unit((rgb24 >> 8) & 0xff));
    java.util.Arrays.fill(rgb, 2 * plane, 3 * plane, unit(rgb24 & 0xff));
    return new Frame(size, rgb);
  }

  /** One channel value (0 red, 1 green, 2 blue) in [-1, 1]. */
  public float get(int channel, int y, int x) {
    return rgb[(channel * size + y) * size + x];
  }

  /** The pixel at (x, y) as {@code 0xRRGGBB}. */
  public int rgb24(int y, int x) {
    int i = y * size + x;
    int plane = size * size;
    return (toByte(rgb[i]) << 16) | (toByte(rgb[plane + i]) << 8) | toByte(rgb[2 * plane + i]);
  }

  public BufferedImage toImage() {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    int[] packed = new int[size * size];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        packed[y * size + x] = rgb24(y, x);
      }
    }
    img.setRGB(0, 0, size, size, packed, 0, size);
    return img;
  }

  public void writePng(Path file) {
    try {
      if (!ImageIO.write(toImage(), "png", file.toFile())) {
        throw new IllegalStateException("this JVM has no PNG writer");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** A byte (0..255) to LWM's [-1, 1]. */
  public static float unit(int b) {
    return b / 127.5f - 1f;
  }

  /** [-1, 1] back to a byte, rounded and clamped (decoders overshoot). */
  public static int toByte(float v) {
    int b = Math.round((v + 1f) * 127.5f);
    return b < 0 ? 0 : Math.min(b, 255);
  }
}

package io.worldring.datasets.vision.world;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The synthetic world's shapes, each a region around the object's centre of half-size {@code r}: a pixel is
 * painted when its centre lies inside. The triangle points up.
 */
public enum Shape {
  SQUARE, CIRCLE, TRIANGLE, DIAMOND;

  /** Whether the point at offset (dx, dy) from the centre (y downwards) lies inside. */
  public boolean covers(double dx, double dy, double r) {
    return switch (this) {
      case SQUARE -> Math.abs(dx) <= r && Math.abs(dy) <= r;
      case CIRCLE -> dx * dx + dy * dy <= r * r;
      case TRIANGLE -> dy >= -r && dy <= r && Math.abs(dx) <= (dy + r) / 2;
      case DIAMOND -> Math.abs(dx) + Math.abs(dy) <= r;
    };
  }

  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static List<String> words() {
    return Arrays.stream(values()).map(Shape::word).toList();
  }
}

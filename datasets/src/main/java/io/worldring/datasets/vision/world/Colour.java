package io.worldring.datasets.vision.world;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The synthetic world's colours: saturated, far apart, and on a black background (no object is black). */
public enum Colour {
  RED(0xE02020), GREEN(0x20C040), BLUE(0x3050F0), YELLOW(0xF0E030), MAGENTA(0xE040E0), WHITE(0xF0F0F0);

  /** The black the objects move on. */
  public static final int BACKGROUND = 0x000000;

  private final int rgb24;

  Colour(int rgb24) {
    this.rgb24 = rgb24;
  }

  /** {@code 0xRRGGBB}. */
  public int rgb24() {
    return rgb24;
  }

  /** As captions and answers say it. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static List<String> words() {
    return Arrays.stream(values()).map(Colour::word).toList();
  }
}

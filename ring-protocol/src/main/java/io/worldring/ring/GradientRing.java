package io.worldring.ring;

/**
 * Ring all-reduce of a flat gradient vector split into n chunks: reduce-scatter (n-1 hops, each device
 * adds the chunk arriving from its predecessor to its own), then all-gather (n-1 hops, each device takes
 * the fully reduced chunk arriving). The additions happen in a fixed order for a given n, so every run
 * gives the same bits, and every device ends with identical values.
 */
public final class GradientRing {
  private final int devices;
  private final long elements;

  public GradientRing(int devices, long elements) {
    this.devices = devices;
    this.elements = elements;
  }

  /** [start, end) of chunk {@code c}: as equal as possible, the first ones one larger. */
  public long[] chunkRange(int c) {
    long base = elements / devices;
    long extra = elements % devices;
    long start = c * base + Math.min(c, extra);
    long end = start + base + (c < extra ? 1 : 0);
    return new long[] {start, end};
  }

  /** The chunk device {@code device} sends at reduce-scatter hop {@code hop}. */
  public int scatterSend(int device, int hop) {
    return Math.floorMod(device - hop, devices);
  }

  /** The chunk device {@code device} sends at all-gather hop {@code hop}. */
  public int gatherSend(int device, int hop) {
    return Math.floorMod(device + 1 - hop, devices);
  }

  /** The fully reduced chunk device {@code device} holds after reduce-scatter. */
  public int owned(int device) {
    return Math.floorMod(device + 1, devices);
  }
}

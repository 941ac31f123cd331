package io.worldring.datasets.vision;

import io.worldring.model.SplitMix64;

/**
 * A uniform draw that depends only on (seed, index): the index-th output of the SplitMix64 stream started
 * at {@code seed}, which is what a generator positioned at that index would give, without walking there.
 */
public final class IndexedDraw {
  private IndexedDraw() {}

  /** Uniform in [0, 1). */
  public static double unit(long seed, long index) {
    return new SplitMix64(seed + index * 0x9E3779B97F4A7C15L).nextDouble();
  }

  /** A generator of its own for example {@code index} (several draws per example). */
  public static SplitMix64 generator(long seed, long index) {
    return new SplitMix64(new SplitMix64(seed + index * 0x9E3779B97F4A7C15L).nextLong());
  }
}

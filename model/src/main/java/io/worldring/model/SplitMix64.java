package io.worldring.model;

/**
 * A small deterministic random generator whose whole state is one {@code long}, so it can be written to
 * a checkpoint and restored exactly (java.util's generators do not expose their state).
 * Algorithm: SplitMix64 (Steele, Lea, Flood 2014).
 */
public final class SplitMix64 {
  private long state;

  public SplitMix64(long seed) {
    this.state = seed;
  }

  public long state() {
    return state;
  }

  public void restore(long savedState) {
    this.state = savedState;
  }

  public long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, 1) with 53 bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, bound). */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive: " + bound);
    }
    return (int) Math.floorMod(nextLong(), (long) bound);
  }

  /** Standard normal by Box-Muller; uses two uniforms per call, so the stream is easy to reason about. */
  public double nextGaussian() {
    double u1 = nextDouble();
    double u2 = nextDouble();
    return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
  }

  /** Fisher-Yates shuffle of {@code 0..n-1}. */
  public int[] permutation(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

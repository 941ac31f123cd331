package io.worldring.ops.bench;

import java.util.Arrays;

/** Median wall time of repeated runs after warm-up. */
public final class Timing {
  private Timing() {}

  public static double medianSeconds(Runnable body, int warmup, int repeats) {
    for (int i = 0; i < warmup; i++) {
      body.run();
    }
    double[] t = new double[repeats];
    for (int i = 0; i < repeats; i++) {
      long start = System.nanoTime();
      body.run();
      t[i] = (System.nanoTime() - start) / 1e9;
    }
    Arrays.sort(t);
    return repeats % 2 == 1 ? t[repeats / 2] : (t[repeats / 2 - 1] + t[repeats / 2]) / 2;
  }
}

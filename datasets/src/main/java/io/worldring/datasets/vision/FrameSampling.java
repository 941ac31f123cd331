package io.worldring.datasets.vision;

/**
 * Which frames of a video to keep: all of them when there are at most {@code maxFrames}, otherwise
 * {@code maxFrames} indices spread evenly from the first to the last frame, rounded down (LWM's
 * {@code np.linspace(0, n - 1, maxFrames).astype(int)}, computed exactly in integers).
 */
public final class FrameSampling {
  private FrameSampling() {}

  /** @return [min(frameCount, maxFrames)], ascending, first 0 and last {@code frameCount - 1} */
  public static int[] uniform(int frameCount, int maxFrames) {
    if (frameCount < 1 || maxFrames < 1) {
      throw new IllegalArgumentException("need at least one frame and maxFrames >= 1, got " + frameCount + " and " + maxFrames);
    }
    int n = Math.min(frameCount, maxFrames);
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = n == frameCount ? i : n == 1 ? 0 : (int) ((long) i * (frameCount - 1) / (n - 1));
    }
    return idx;
  }
}

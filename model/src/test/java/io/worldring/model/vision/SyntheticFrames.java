package io.worldring.model.vision;

import io.worldring.model.SplitMix64;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Frames like the synthetic world's: a two-colour linear gradient background with one to three solid
 * rectangles or discs, values in [-1, 1]. Different seeds give disjoint-looking frames of the same kind.
 */
final class SyntheticFrames {
  private SyntheticFrames() {}

  /** @return [n, 3, side, side] */
  static INDArray generate(long seed, int n, int side) {
    SplitMix64 rng = new SplitMix64(seed);
    float[] v = new float[n * 3 * side * side];
    for (int f = 0; f < n; f++) {
      double[] from = colour(rng);
      double[] to = colour(rng);
      boolean vertical = rng.nextInt(2) == 0;
      double[][][] img = new double[3][side][side];
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          double t = (vertical ? y : x) / (side - 1.0);
          for (int c = 0; c < 3; c++) {
            img[c][y][x] = from[c] + t * (to[c] - from[c]);
          }
        }
      }
      int shapes = 1 + rng.nextInt(3);
      for (int s = 0; s < shapes; s++) {
        double[] colour = colour(rng);
        int size = side / 8 + rng.nextInt(side / 3);
        int cy = rng.nextInt(side);
        int cx = rng.nextInt(side);
        boolean disc = rng.nextInt(2) == 0;
        for (int y = 0; y < side; y++) {
          for (int x = 0; x < side; x++) {
            double dy = y - cy;
            double dx = x - cx;
            boolean inside = disc ? dy * dy + dx * dx <= size * size / 4.0 : Math.abs(dy) <= size / 2.0 && Math.abs(dx) <= size / 2.0;
            if (inside) {
              for (int c = 0; c < 3; c++) {
                img[c][y][x] = colour[c];
              }
            }
          }
        }
      }
      int i = f * 3 * side * side;
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < side; y++) {
          for (int x = 0; x < side; x++) {
            v[i++] = (float) img[c][y][x];
          }
        }
      }
    }
    return Nd4j.create(v, new long[] {n, 3, side, side}, 'c');
  }

  private static double[] colour(SplitMix64 rng) {
    return new double[] {rng.nextDouble() * 2 - 1, rng.nextDouble() * 2 - 1, rng.nextDouble() * 2 - 1};
  }

  /** Every frame replaced by its own mean colour: the trivial baseline a tokenizer must beat. */
  static INDArray meanColour(INDArray frames) {
    INDArray out = frames.dup('c');
    for (int f = 0; f < frames.size(0); f++) {
      for (int c = 0; c < 3; c++) {
        INDArray plane = out.slice(f).slice(c);
        plane.assign(plane.meanNumber());
      }
    }
    return out;
  }
}

package io.worldring.datasets.vision.world;

import io.worldring.model.SplitMix64;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Generates a world video from a config and a seed (the same pair always gives the same video). Objects get
 * distinct colour-shape pairs, so "the red square" names one object, and distinct first frames, so "the
 * object that appeared at frame t" does too; the first appears on frame 0. Each lives a lifetime drawn
 * from the config's range (to the end of the video at most); disappearing objects leave on distinct frames. Each moves in a straight line at constant speed and is reflected by the frame's edges
 * (mirror the overshoot, flip that velocity component).
 */
public final class WorldSimulator {
  private static final int EXIT_DRAWS = 20;

  private WorldSimulator() {}

  public static WorldVideo generate(WorldConfig c, long seed) {
    SplitMix64 rng = new SplitMix64(seed);
    int n = c.objects();
    int[] pairs = rng.permutation(Colour.values().length * Shape.values().length);
    int[] enters = enterFrames(c, rng);
    Set<Integer> exitsTaken = new HashSet<>();
    List<WorldObject> objects = new ArrayList<>(n);
    for (int id = 0; id < n; id++) {
      Colour colour = Colour.values()[pairs[id] / Shape.values().length];
      Shape shape = Shape.values()[pairs[id] % Shape.values().length];
      int enter = enters[id];
      int exit = exitFrame(c, enter, rng, exitsTaken);
      objects.add(move(id, shape, colour, c, enter, exit, rng));
    }
    return new WorldVideo(c, seed, List.copyOf(objects));
  }

  /** @return [objects], ascending and distinct, the first 0, all leaving room for the minimum lifetime */
  private static int[] enterFrames(WorldConfig c, SplitMix64 rng) {
    int last = c.frames() - c.minLifetime(); // latest frame an object may appear on
    int[] candidates = rng.permutation(last); // frames 1..last, shuffled (as 0..last-1, plus one)
    int[] enters = new int[c.objects()];
    for (int i = 1; i < enters.length; i++) {
      enters[i] = candidates[i - 1] + 1;
    }
    java.util.Arrays.sort(enters);
    return enters;
  }

  /** Enter plus a lifetime drawn from the config's range, capped at the end; redrawn while it would share a disappearance frame. */
  private static int exitFrame(WorldConfig c, int enter, SplitMix64 rng, Set<Integer> taken) {
    int span = c.maxLifetime() - c.minLifetime() + 1;
    int exit = c.frames();
    for (int draw = 0; draw < EXIT_DRAWS; draw++) {
      exit = Math.min(c.frames(), enter + c.minLifetime() + rng.nextInt(span));
      if (exit == c.frames() || taken.add(exit)) {
        return exit;
      }
    }
    return c.frames(); // no free frame found: it stays to the end
  }

  private static WorldObject move(int id, Shape shape, Colour colour, WorldConfig c, int enter, int exit, SplitMix64 rng) {
    double r = c.radius();
    double lo = r;
    double hi = c.frameSize() - r;
    double x = lo + rng.nextDouble() * (hi - lo);
    double y = lo + rng.nextDouble() * (hi - lo);
    double angle = rng.nextDouble() * 2 * Math.PI;
    double speed = c.minSpeed() + rng.nextDouble() * (c.maxSpeed() - c.minSpeed());
    double vx = speed * Math.cos(angle);
    double vy = speed * Math.sin(angle);
    int life = exit - enter;
    float[] xs = new float[life]; // [life]
    float[] ys = new float[life]; // [life]
    List<Integer> bounces = new ArrayList<>();
    for (int k = 0; k < life; k++) {
      if (k > 0) {
        x += vx;
        y += vy;
        boolean bounced = false;
        if (x < lo || x > hi) {
          x = x < lo ? 2 * lo - x : 2 * hi - x;
          vx = -vx;
          bounced = true;
        }
        if (y < lo || y > hi) {
          y = y < lo ? 2 * lo - y : 2 * hi - y;
          vy = -vy;
          bounced = true;
        }
        if (bounced) {
          bounces.add(enter + k);
        }
      }
      xs[k] = (float) x;
      ys[k] = (float) y;
    }
    return new WorldObject(id, shape, colour, r, enter, exit, xs, ys, bounces.stream().mapToInt(Integer::intValue).toArray());
  }
}

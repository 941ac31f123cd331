package io.worldring.datasets.vision.world;

import io.worldring.model.BadInputException;

/**
 * The size of a synthetic world video and how its objects behave.
 *
 * @param frameSize side of the square frames in pixels (the vision tokenizer's frame size)
 * @param frames video length
 * @param objects objects appearing over the whole video, each a different colour-shape pair (at most
 *     colours x shapes = 24), each appearing at a different frame
 * @param radius half-size of an object in pixels; objects stay wholly inside the frame and bounce off its
 *     edges
 * @param minSpeed slowest speed in pixels per frame
 * @param maxSpeed fastest speed in pixels per frame
 * @param minLifetime fewest frames an object is visible
 * @param maxLifetime most frames an object is visible; one whose lifetime runs past the end stays to the end
 */
public record WorldConfig(int frameSize, int frames, int objects, double radius, double minSpeed, double maxSpeed,
    int minLifetime, int maxLifetime) {
  public WorldConfig {
    int pairs = Colour.values().length * Shape.values().length;
    if (frameSize < 8 || frames < 1 || objects < 1 || objects > pairs) {
      throw new BadInputException("world: need frameSize >= 8, frames >= 1 and 1.." + pairs + " objects, got " + frameSize + ", "
          + frames + ", " + objects);
    }
    if (!(radius >= 1) || 2 * radius >= frameSize) {
      throw new BadInputException("world: object radius " + radius + " does not fit a " + frameSize + "-pixel frame");
    }
    if (!(minSpeed >= 0) || !(maxSpeed >= minSpeed) || maxSpeed >= frameSize - 2 * radius) {
      throw new BadInputException("world: speeds must satisfy 0 <= min <= max < frame - object size, got " + minSpeed + ".." + maxSpeed);
    }
    if (minLifetime < 1 || minLifetime > frames || frames - minLifetime + 1 < objects) {
      throw new BadInputException("world: " + objects + " objects with distinct first frames and at least " + minLifetime
          + " frames each do not fit " + frames + " frames");
    }
    if (maxLifetime < minLifetime) {
      throw new BadInputException("world: maxLifetime " + maxLifetime + " is below minLifetime " + minLifetime);
    }
  }

  /**
   * This world drawn at {@code size}-pixel frames: radius and speeds scale with the frame, counts and
   * lifetimes stay. Training and evaluation both size a preset's world this way, so they see the same kind
   * of video.
   */
  public WorldConfig atFrameSize(int size) {
    if (size == frameSize) {
      return this;
    }
    double k = size / (double) frameSize;
    return new WorldConfig(size, frames, objects, radius * k, minSpeed * k, maxSpeed * k, minLifetime, maxLifetime);
  }

  /** 32x32 frames, 64 frames, 6 objects living 8-40 frames: fast tests and the {@code vision-tiny} preset. */
  public static WorldConfig tiny() {
    return new WorldConfig(32, 64, 6, 3.5, 0.4, 1.2, 8, 40);
  }

  /**
   * 32x32 frames, 512 frames, 20 objects living 32-160 frames (about four on screen at a time): long-range
   * questions for {@code vision-small}.
   */
  public static WorldConfig small() {
    return new WorldConfig(32, 512, 20, 3.5, 0.4, 1.2, 32, 160);
  }

  /** The same world over another number of frames (minimum lifetime capped to fit). */
  public WorldConfig withFrames(int n) {
    int objectsThatFit = Math.min(objects, n);
    int life = Math.max(1, Math.min(minLifetime, n - objectsThatFit + 1));
    return new WorldConfig(frameSize, n, objectsThatFit, radius, minSpeed, maxSpeed, life, Math.max(life, maxLifetime));
  }
}

package io.worldring.datasets.vision.world;

/** Something that happens to an object on a frame: it appears, bounces off a wall, or disappears. */
public record WorldEvent(int frame, Kind kind, WorldObject object) {
  public enum Kind { APPEARS, BOUNCES, DISAPPEARS }
}

package io.worldring.datasets.vision.world;

import io.worldring.datasets.vision.Frame;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A generated video's ground truth: every object's life. Frames are rendered from it on demand
 * ({@link WorldRenderer}), so a long video costs memory only when its frames are asked for.
 *
 * @param objects in id order (= order of appearance = draw order)
 */
public record WorldVideo(WorldConfig config, long seed, List<WorldObject> objects) {
  public int frames() {
    return config.frames();
  }

  public int frameSize() {
    return config.frameSize();
  }

  /** Objects on frame t, lowest (drawn first) first. */
  public List<WorldObject> visible(int t) {
    return objects.stream().filter(o -> o.visibleAt(t)).toList();
  }

  /** The object whose colour pixel (px, py) shows on frame t (the highest id covering it), or null for background. */
  public WorldObject topAt(int t, int px, int py) {
    for (int i = objects.size() - 1; i >= 0; i--) {
      if (objects.get(i).covers(t, px, py)) {
        return objects.get(i);
      }
    }
    return null;
  }

  public Frame render(int t) {
    return WorldRenderer.render(this, t);
  }

  /** Every frame, in order. */
  public List<Frame> render() {
    List<Frame> out = new ArrayList<>(frames());
    for (int t = 0; t < frames(); t++) {
      out.add(render(t));
    }
    return out;
  }

  /** The object that appears on frame t, or null. */
  public WorldObject appearingAt(int t) {
    return objects.stream().filter(o -> o.enter() == t).findFirst().orElse(null);
  }

  /** Appearances, bounces and disappearances, by frame (then object id). */
  public List<WorldEvent> events() {
    List<WorldEvent> out = new ArrayList<>();
    for (WorldObject o : objects) {
      out.add(new WorldEvent(o.enter(), WorldEvent.Kind.APPEARS, o));
      for (int b : o.bounceFrames()) {
        out.add(new WorldEvent(b, WorldEvent.Kind.BOUNCES, o));
      }
      if (o.exit() < frames()) {
        out.add(new WorldEvent(o.exit(), WorldEvent.Kind.DISAPPEARS, o));
      }
    }
    out.sort(Comparator.comparingInt(WorldEvent::frame).thenComparingInt(e -> e.object().id()));
    return out;
  }
}

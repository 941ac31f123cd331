package io.worldring.datasets.vision.world;

import java.util.List;

/**
 * Exact descriptions of world frames and videos, for captioning (vision to text) and generation (text to
 * vision). A frame caption names each visible object and the ninth of the frame its centre is in; a video
 * caption tells each object's appearance, bounces and disappearance in order.
 */
public final class WorldCaptions {
  private static final String[] ROWS = {"top", "middle", "bottom"};
  private static final String[] COLUMNS = {"left", "centre", "right"};

  private WorldCaptions() {}

  /** "A red square at top left and a blue circle at middle centre." */
  public static String frame(WorldVideo video, int t) {
    List<WorldObject> visible = video.visible(t);
    if (visible.isEmpty()) {
      return "An empty black frame.";
    }
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < visible.size(); i++) {
      WorldObject o = visible.get(i);
      s.append(i == 0 ? "A " : i == visible.size() - 1 ? " and a " : ", a ");
      s.append(o.name()).append(" at ").append(region(video, o, t));
    }
    return s.append('.').toString();
  }

  /** "top left", "middle centre", ...: which third of the frame the centre is in, down then across. */
  public static String region(WorldVideo video, WorldObject o, int t) {
    int s = video.frameSize();
    int row = Math.min(2, (int) (o.y(t) * 3 / s));
    int col = Math.min(2, (int) (o.x(t) * 3 / s));
    return ROWS[row] + " " + COLUMNS[col];
  }

  /**
   * "A red square appears at frame 0, bounces 2 times and disappears at frame 40. A blue circle appears at
   * frame 12, bounces once and stays to the end."
   */
  public static String video(WorldVideo video) {
    StringBuilder s = new StringBuilder();
    for (WorldObject o : video.objects()) {
      if (s.length() > 0) {
        s.append(' ');
      }
      s.append("A ").append(o.name()).append(" appears at frame ").append(o.enter()).append(", ");
      s.append(o.bounces() == 0 ? "never bounces" : o.bounces() == 1 ? "bounces once" : "bounces " + o.bounces() + " times");
      s.append(o.exit() < video.frames() ? " and disappears at frame " + o.exit() : " and stays to the end").append('.');
    }
    return s.toString();
  }
}

package io.worldring.datasets.vision.world;

import io.worldring.datasets.vision.Frame;

/**
 * Paints a frame of a world video: black, then each visible object in id order over the ones before it,
 * every pixel whose centre lies inside the shape in the object's flat colour (no antialiasing, so the ground
 * truth says exactly which colour each pixel has).
 */
final class WorldRenderer {
  private WorldRenderer() {}

  static Frame render(WorldVideo video, int t) {
    int s = video.frameSize();
    Frame frame = Frame.filled(s, Colour.BACKGROUND);
    float[] rgb = frame.rgb(); // [3, s, s]
    int plane = s * s;
    for (WorldObject o : video.visible(t)) {
      float r = Frame.unit((o.colour().rgb24() >> 16) & 0xff);
      float g = Frame.unit((o.colour().rgb24() >> 8) & 0xff);
      float b = Frame.unit(o.colour().rgb24() & 0xff);
      int x0 = Math.max(0, (int) Math.floor(o.x(t) - o.radius()) - 1);
      int x1 = Math.min(s - 1, (int) Math.ceil(o.x(t) + o.radius()) + 1);
      int y0 = Math.max(0, (int) Math.floor(o.y(t) - o.radius()) - 1);
      int y1 = Math.min(s - 1, (int) Math.ceil(o.y(t) + o.radius()) + 1);
      for (int py = y0; py <= y1; py++) {
        for (int px = x0; px <= x1; px++) {
          if (o.covers(t, px, py)) {
            int i = py * s + px;
            rgb[i] = r;
            rgb[plane + i] = g;
            rgb[2 * plane + i] = b;
          }
        }
      }
    }
    return frame;
  }
}

package io.worldring.datasets.vision.world;

/**
 * One object's whole life: what it is, when it is visible ({@code enter <= t < exit}), where its centre is on
 * each of those frames, and the frames on which it bounced. Coordinates are pixels, x rightwards and y
 * downwards, pixel (px, py) spanning [px, px + 1) x [py, py + 1).
 *
 * @param id draw order: a higher id is drawn over a lower one; ids follow the order of appearance
 * @param exit first frame it is gone; the video's length if it stays to the end
 * @param x [exit - enter], centre x on each frame alive
 * @param y [exit - enter], centre y on each frame alive
 * @param bounceFrames [bounces], ascending; on such a frame the object is shown already turned back (a corner,
 *     two walls in one step, is one bounce)
 */
public record WorldObject(int id, Shape shape, Colour colour, double radius, int enter, int exit, float[] x, float[] y,
    int[] bounceFrames) {
  public boolean visibleAt(int t) {
    return t >= enter && t < exit;
  }

  public float x(int t) {
    return x[t - enter];
  }

  public float y(int t) {
    return y[t - enter];
  }

  /** Whether pixel (px, py) is painted by this object on frame t (its centre inside the shape). */
  public boolean covers(int t, int px, int py) {
    return visibleAt(t) && shape.covers(px + 0.5 - x(t), py + 0.5 - y(t), radius);
  }

  public int bounces() {
    return bounceFrames.length;
  }

  /** "red square": unique within a video. */
  public String name() {
    return colour.word() + " " + shape.word();
  }
}

package io.worldring.datasets.vision;

/**
 * A deterministic stand-in for a learned vision tokenizer in tests: the frame cut into grid x grid patches,
 * each patch's mean colour quantised to {@code levels} per channel (code = r * levels^2 + g * levels + b);
 * decoding paints each patch in its quantised colour.
 */
final class PatchColourTokenizer implements VisionTokenizer {
  private final int frameSize;
  private final int grid;
  private final int levels;

  PatchColourTokenizer(int frameSize, int grid, int levels) {
    if (frameSize % grid != 0) {
      throw new IllegalArgumentException("grid must divide the frame");
    }
    this.frameSize = frameSize;
    this.grid = grid;
    this.levels = levels;
  }

  @Override
  public int frameSize() {
    return frameSize;
  }

  @Override
  public int codesPerFrame() {
    return grid * grid;
  }

  @Override
  public int codebookSize() {
    return levels * levels * levels;
  }

  @Override
  public int[] encode(Frame frame) {
    int patch = frameSize / grid;
    int[] codes = new int[grid * grid];
    for (int gy = 0; gy < grid; gy++) {
      for (int gx = 0; gx < grid; gx++) {
        int code = 0;
        for (int c = 0; c < 3; c++) {
          double sum = 0;
          for (int y = gy * patch; y < (gy + 1) * patch; y++) {
            for (int x = gx * patch; x < (gx + 1) * patch; x++) {
              sum += frame.get(c, y, x);
            }
          }
          double mean = sum / (patch * patch); // [-1, 1]
          int q = Math.min(levels - 1, (int) ((mean + 1) / 2 * levels));
          code = code * levels + q;
        }
        codes[gy * grid + gx] = code;
      }
    }
    return codes;
  }

  @Override
  public Frame decode(int[] codes) {
    int patch = frameSize / grid;
    float[] rgb = new float[3 * frameSize * frameSize];
    for (int gy = 0; gy < grid; gy++) {
      for (int gx = 0; gx < grid; gx++) {
        int code = codes[gy * grid + gx];
        int[] q = {code / (levels * levels), (code / levels) % levels, code % levels};
        for (int c = 0; c < 3; c++) {
          float v = (float) ((q[c] + 0.5) / levels * 2 - 1);
          for (int y = gy * patch; y < (gy + 1) * patch; y++) {
            for (int x = gx * patch; x < (gx + 1) * patch; x++) {
              rgb[(c * frameSize + y) * frameSize + x] = v;
            }
          }
        }
      }
    }
    return new Frame(frameSize, rgb);
  }
}

package io.worldring.datasets.vision;

/**
 * A frame to a grid of discrete codes and back (LWM: VQGAN f16, a 256x256 frame to 16x16 = 256 codes from
 * a codebook of 8192). Codes are row-major over the grid; each is in {@code [0, codebookSize)}.
 */
public interface VisionTokenizer {
  /** Side of the square frames it takes, in pixels. */
  int frameSize();

  int codesPerFrame();

  int codebookSize();

  /**
   * @param frame a frame of side {@link #frameSize()}
   * @return [codesPerFrame]
   */
  int[] encode(Frame frame);

  /** @param codes [codesPerFrame] */
  Frame decode(int[] codes);
}

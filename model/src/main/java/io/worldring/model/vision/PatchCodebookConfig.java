package io.worldring.model.vision;

/**
 * How a {@link PatchCodebook} cuts frames and how it is trained.
 *
 * @param frameSize side S of the (square) frames, in pixels
 * @param codesPerFrame g * g: the frame is cut into a g x g grid of square patches of S / g pixels
 * @param codebookSize k: number of centroids, so every code is in [0, k)
 * @param iterations most Lloyd iterations (training stops earlier once no patch changes code)
 * @param seed seeds k-means++ and the choice of training patches
 * @param maxTrainingPatches patches beyond this many are subsampled (seeded), bounding training time
 */
public record PatchCodebookConfig(int frameSize, int codesPerFrame, int codebookSize, int iterations, long seed, int maxTrainingPatches) {
  public PatchCodebookConfig {
    int g = (int) Math.round(Math.sqrt(codesPerFrame));
    if (frameSize <= 0 || codesPerFrame <= 0 || g * g != codesPerFrame || frameSize % g != 0) {
      throw new IllegalArgumentException("codes per frame (" + codesPerFrame + ") must be a square g*g with g dividing the frame size ("
          + frameSize + ")");
    }
    if (codebookSize <= 0 || iterations < 0 || maxTrainingPatches < codebookSize) {
      throw new IllegalArgumentException("codebook size must be positive, iterations >= 0 and max training patches >= codebook size: " + this);
    }
  }

  /** 32x32 frames, 16 codes of 8x8 patches, 256 centroids: the tiny presets' tokenizer. */
  public static PatchCodebookConfig tiny() {
    return new PatchCodebookConfig(32, 16, 256, 25, 1, 16384);
  }

  /** 64x64 frames, 64 codes of 8x8 patches, 1024 centroids. */
  public static PatchCodebookConfig small() {
    return new PatchCodebookConfig(64, 64, 1024, 20, 1, 65536);
  }

  /** g: codes per side. */
  public int gridSize() {
    return (int) Math.round(Math.sqrt(codesPerFrame));
  }

  /** p: pixels per patch side. */
  public int patchSize() {
    return frameSize / gridSize();
  }

  /** 3 p p: the length of one patch vector (channel, row, column order). */
  public int patchDim() {
    return 3 * patchSize() * patchSize();
  }
}

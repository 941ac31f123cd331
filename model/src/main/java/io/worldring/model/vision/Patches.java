package io.worldring.model.vision;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cuts frames into a g x g grid of p x p patches, one vector per patch, and puts them back. Patches are
 * listed frame by frame, row by row over the grid; a patch vector is its pixels in (channel, row, column)
 * order.
 */
public final class Patches {
  private Patches() {}

  /** @param frames [n, 3, g p, g p]; returns [n g g, 3 p p], a new array */
  public static INDArray split(INDArray frames, int patchSize) {
    long n = frames.size(0);
    long g = frames.size(2) / patchSize;
    INDArray grid = frames.reshape('c', n, 3, g, patchSize, g, patchSize); // [n, 3, gridRow, y, gridCol, x]
    INDArray out = Nd4j.createUninitialized(frames.dataType(), n * g * g, 3L * patchSize * patchSize); // [n g g, 3 p p]
    out.reshape('c', n, g, g, 3, patchSize, patchSize).assign(grid.permute(0, 2, 4, 1, 3, 5)); // [n, gridRow, gridCol, 3, y, x]
    return out;
  }

  /** @param patches [n g g, 3 p p]; returns [n, 3, g p, g p], a new array */
  public static INDArray join(INDArray patches, int gridSize, int patchSize) {
    long n = patches.size(0) / ((long) gridSize * gridSize);
    long side = (long) gridSize * patchSize;
    INDArray grid = patches.reshape('c', n, gridSize, gridSize, 3, patchSize, patchSize); // [n, gridRow, gridCol, 3, y, x]
    INDArray out = Nd4j.createUninitialized(patches.dataType(), n, 3, side, side); // [n, 3, g p, g p]
    out.reshape('c', n, 3, gridSize, patchSize, gridSize, patchSize).assign(grid.permute(0, 3, 1, 4, 2, 5)); // [n, 3, gridRow, y, gridCol, x]
    return out;
  }
}

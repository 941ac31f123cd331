package io.worldring.model.attention;

import io.worldring.model.NativeMemory;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Splitting a block's tokens into tiles of at most {@code size}, so scores exist for one tile pair at a time. */
final class Tiles {
  private Tiles() {}

  /** [start, end) of each tile of {@code tokens} tokens. */
  static List<int[]> ranges(int tokens, int size) {
    if (size <= 0) {
      throw new IllegalArgumentException("attention tile size must be positive: " + size);
    }
    List<int[]> out = new ArrayList<>();
    for (int s = 0; s < tokens; s += size) {
      out.add(new int[] {s, Math.min(tokens, s + size)});
    }
    return out;
  }

  /** Contiguous copies of each tile along the token axis (axis 1); the tensor itself when there is one tile. */
  static List<INDArray> split(INDArray x, List<int[]> ranges) {
    List<INDArray> tiles = new ArrayList<>(ranges.size());
    if (ranges.size() == 1) {
      tiles.add(x);
      return tiles;
    }
    for (int[] r : ranges) {
      tiles.add(x.get(NDArrayIndex.all(), NDArrayIndex.interval(r[0], r[1]), NDArrayIndex.all()).dup('c'));
    }
    return tiles;
  }

  /** Frees what {@link #split} copied. */
  static void releaseCopies(List<INDArray> tiles, List<int[]> ranges) {
    if (ranges.size() > 1) {
      tiles.forEach(NativeMemory::release);
    }
  }

  static INDArray view(INDArray x, int[] r) {
    return x.get(NDArrayIndex.all(), NDArrayIndex.interval(r[0], r[1]), NDArrayIndex.all());
  }
}

package io.worldring.model.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.worldring.model.SplitMix64;
import io.worldring.model.TestTensors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class PatchesTest {
  @Test
  void patchesAreBlocksInGridOrderAndJoinBack() {
    int g = 3;
    int p = 4;
    INDArray frames = TestTensors.random(new SplitMix64(1), DataType.FLOAT, 1, 2, 3, g * p, g * p);
    INDArray patches = Patches.split(frames, p);
    assertArrayEquals(new long[] {2 * g * g, 3 * p * p}, patches.shape());
    for (int f = 0; f < 2; f++) {
      for (int row = 0; row < g; row++) {
        for (int col = 0; col < g; col++) {
          int patch = (f * g + row) * g + col;
          for (int c = 0; c < 3; c++) {
            for (int y = 0; y < p; y++) {
              for (int x = 0; x < p; x++) {
                assertEquals(frames.getFloat(f, c, row * p + y, col * p + x), patches.getFloat(patch, (c * p + y) * p + x), 0f,
                    "frame " + f + " patch (" + row + "," + col + ") channel " + c + " pixel (" + y + "," + x + ")");
              }
            }
          }
        }
      }
    }
    assertEquals(frames, Patches.join(patches, g, p));
  }
}

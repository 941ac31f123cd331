package io.worldring.model.vision;

import io.worldring.model.BadInputException;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Checks of what callers hand to a {@link FrameCodec}, with messages that say what was expected. */
final class Frames {
  private Frames() {}

  /** A frame must be [3, size, size]: the datasets module resizes and crops before encoding. */
  static void requireFrame(INDArray frame, int size) {
    if (frame.rank() != 3 || frame.size(0) != 3 || frame.size(1) != size || frame.size(2) != size) {
      throw new IllegalArgumentException("a frame must be [3, " + size + ", " + size + "], got " + Arrays.toString(frame.shape()));
    }
  }

  /** A batch must be [n, 3, height, width] with both sides multiples of {@code multiple}. */
  static void requireBatch(INDArray frames, int multiple) {
    if (frames.rank() != 4 || frames.size(1) != 3 || frames.size(2) % multiple != 0 || frames.size(3) % multiple != 0) {
      throw new IllegalArgumentException("frames must be [n, 3, height, width] with sides multiples of " + multiple
          + ", got " + Arrays.toString(frames.shape()));
    }
  }

  /**
   * Codes may come from a file a user wrote or from a model's samples, so a wrong count or value is bad
   * input, named with its position.
   */
  static void requireCodes(int[] codes, int count, int codebookSize) {
    if (codes.length != count) {
      throw new BadInputException("codes: expected " + count + " codes per frame, got " + codes.length);
    }
    for (int i = 0; i < codes.length; i++) {
      if (codes[i] < 0 || codes[i] >= codebookSize) {
        throw new BadInputException("codes: code " + codes[i] + " at position " + i + " is outside 0.." + (codebookSize - 1));
      }
    }
  }
}

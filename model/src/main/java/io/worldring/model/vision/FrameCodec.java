package io.worldring.model.vision;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A vision tokenizer: a square RGB frame becomes a square grid of code indices and back. Frames are
 * {@code [3, frameSize, frameSize]} arrays with values in [-1, 1] (pixel / 127.5 - 1, as LWM feeds its
 * VQGAN); codes are listed row by row over the grid, so code {@code r * gridSize() + c} covers the
 * frame's block at row r, column c. Implemented by {@link Vqgan} and {@link PatchCodebook}.
 */
public interface FrameCodec {
  /** Side S of the frames this codec takes, in pixels. */
  int frameSize();

  /** Codes per side of the grid. */
  int gridSize();

  /** Codes per frame: gridSize() squared (256 for LWM's VQGAN on 256x256 frames). */
  default int codesPerFrame() {
    return gridSize() * gridSize();
  }

  /** Distinct code values: every code is in [0, codebookSize()). */
  int codebookSize();

  /** @param frame [3, S, S] in [-1, 1]; returns codesPerFrame() codes, row-major over the grid */
  int[] encode(INDArray frame);

  /** @param codes codesPerFrame() codes; returns the frame, [3, S, S] in [-1, 1] */
  INDArray decode(int[] codes);

  /** @param frames [n, 3, S, S]; returns n code lists. Implementations may batch the work. */
  default int[][] encodeAll(INDArray frames) {
    int[][] out = new int[(int) frames.size(0)][];
    for (int i = 0; i < out.length; i++) {
      out[i] = encode(frames.slice(i));
    }
    return out;
  }

  /** @param codes n code lists; returns [n, 3, S, S]. Implementations may batch the work. */
  default INDArray decodeAll(int[][] codes) {
    INDArray[] frames = new INDArray[codes.length];
    for (int i = 0; i < codes.length; i++) {
      frames[i] = decode(codes[i]);
    }
    return Nd4j.stack(0, frames);
  }
}

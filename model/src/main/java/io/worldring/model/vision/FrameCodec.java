package io.worldring.model.vision;

import org.nd4j.linalg.api.ndarray.INDArray;

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

  /** @param frames [n, 3, S, S]; returns n code lists (both codecs do the work as one batch) */
  int[][] encodeAll(INDArray frames);

  /** @param codes n code lists; returns [n, 3, S, S] */
  INDArray decodeAll(int[][] codes);

  /** @param frame [3, S, S] in [-1, 1]; returns codesPerFrame() codes, row-major over the grid */
  default int[] encode(INDArray frame) {
    Frames.requireFrame(frame, frameSize());
    return encodeAll(frame.reshape(1, 3, frameSize(), frameSize()))[0]; // [1, 3, S, S]
  }

  /** @param codes codesPerFrame() codes; returns the frame, [3, S, S] in [-1, 1] */
  default INDArray decode(int[] codes) {
    return decodeAll(new int[][] {codes}).slice(0);
  }
}

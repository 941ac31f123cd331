package io.worldring.model.nn;

import io.worldring.model.NativeMemory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scatter.ScatterAdd;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rows of a sequence split by modality: the positions and ids of the text rows and of the vision rows, each
 * in sequence order. Without vision rows, {@code text} is every position and {@code textIds} the ids given.
 */
record ModalityRows(int[] text, int[] textIds, int[] vision, int[] visionIds) {
  private static final int[] NONE = new int[0];

  /** @param vision per row, whether it is a vision row; null: all text */
  static ModalityRows of(int[] ids, boolean[] vision) {
    int nVision = 0;
    if (vision != null) {
      if (vision.length != ids.length) {
        throw new IllegalArgumentException("the vision mask has " + vision.length + " entries for " + ids.length + " rows");
      }
      for (boolean b : vision) {
        nVision += b ? 1 : 0;
      }
    }
    if (nVision == 0) {
      int[] all = new int[ids.length];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      return new ModalityRows(all, ids, NONE, NONE);
    }
    int[] t = new int[ids.length - nVision];
    int[] tIds = new int[t.length];
    int[] v = new int[nVision];
    int[] vIds = new int[nVision];
    int nt = 0;
    int nv = 0;
    for (int i = 0; i < ids.length; i++) {
      if (vision[i]) {
        v[nv] = i;
        vIds[nv++] = ids[i];
      } else {
        t[nt] = i;
        tIds[nt++] = ids[i];
      }
    }
    return new ModalityRows(t, tIds, v, vIds);
  }

  boolean hasVision() {
    return vision.length > 0;
  }

  /** Rows {@code rows} of the matrix {@code a}, [rows, columns]: a fresh array, in one native call. */
  static INDArray gather(INDArray a, int[] rows) {
    return Nd4j.pullRows(a, 1, rows); // [rows, columns]
  }

  static float[] gather(float[] values, int[] rows) {
    float[] out = new float[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = values[rows[i]];
    }
    return out;
  }

  /** {@code target[indices[i]] += rows[i]}, in place (repeated indices accumulate); nothing without indices. */
  static void scatterAdd(INDArray target, int[] indices, INDArray rows) {
    if (indices.length == 0) {
      return;
    }
    INDArray idx = Nd4j.createFromArray(indices).castTo(DataType.INT32); // [rows]
    ScatterAdd op = new ScatterAdd(target, idx, rows);
    op.addOutputArgument(target); // in place: the op otherwise writes a fresh copy
    Nd4j.exec(op);
    NativeMemory.release(idx);
  }
}

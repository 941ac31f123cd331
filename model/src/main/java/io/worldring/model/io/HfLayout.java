package io.worldring.model.io;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The one layout difference between Meta/llama2.c LLaMA weights and Hugging Face's: HF applies RoPE to
 * the two halves of each head (rotate_half), Meta to adjacent pairs, so HF's conversion script permutes
 * the rows of q_proj and k_proj. This project rotates adjacent pairs internally and permutes at the
 * checkpoint boundary, so a checkpoint directory is also a working HF model directory.
 *
 * <p>Within a head of size d, Meta row 2i + h (h in {0, 1}) is HF row h d/2 + i.
 */
public final class HfLayout {
  private HfLayout() {}

  /** @param w Meta layout, [heads * headDim, in]; returns the HF layout */
  public static INDArray toHf(INDArray w, int heads) {
    long rows = w.size(0);
    long in = w.size(1);
    long headDim = rows / heads;
    return w.reshape(heads, headDim / 2, 2, in).permute(0, 2, 1, 3).dup('c').reshape(rows, in); // [heads, 2, d/2, in] -> rows
  }

  /** @param w HF layout, [heads * headDim, in]; returns the Meta layout */
  public static INDArray fromHf(INDArray w, int heads) {
    long rows = w.size(0);
    long in = w.size(1);
    long headDim = rows / heads;
    return w.reshape(heads, 2, headDim / 2, in).permute(0, 2, 1, 3).dup('c').reshape(rows, in); // [heads, d/2, 2, in] -> rows
  }
}

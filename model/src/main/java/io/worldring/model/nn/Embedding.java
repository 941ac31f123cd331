package io.worldring.model.nn;

import io.worldring.model.BadInputException;
import io.worldring.model.NativeMemory;
import io.worldring.model.ParameterNames;
import io.worldring.model.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Token embedding: row lookup forward, scatter-add of rows backward. A model with vision tables has a
 * second table for vision codes; a per-token mask picks the table each row comes from (LWM's {@code wte} and
 * {@code vte}).
 */
public final class Embedding {
  private final INDArray table; // [vocab, dim]
  private final INDArray visionTable; // [visionVocab, dim], or null for a text-only model

  public Embedding(Parameters p) {
    this.table = p.get(ParameterNames.EMBED_TOKENS);
    this.visionTable = p.contains(ParameterNames.VISION_EMBED_TOKENS) ? p.get(ParameterNames.VISION_EMBED_TOKENS) : null;
  }

  /** @param tokens [tokens]; returns [tokens, dim] */
  public INDArray forward(int[] tokens) {
    return forward(tokens, null);
  }

  /**
   * @param tokens [tokens]: text ids, or vision codes where {@code vision} is set
   * @param vision [tokens], which rows come from the vision table; null: all text
   * @return [tokens, dim]
   */
  public INDArray forward(int[] tokens, boolean[] vision) {
    ModalityRows split = ModalityRows.of(tokens, vision);
    check(split.text(), split.textIds(), table, "vocabulary");
    if (!split.hasVision()) {
      return table.getRows(tokens);
    }
    if (visionTable == null) {
      throw new BadInputException("token at position " + split.vision()[0] + " is marked as a vision code, but the model has no vision"
          + " vocabulary (vision-vocab-size 0)");
    }
    check(split.vision(), split.visionIds(), visionTable, "vision vocabulary");
    INDArray out = Nd4j.zeros(table.dataType(), tokens.length, table.size(1)); // [tokens, dim]
    if (split.text().length > 0) {
      INDArray rows = ModalityRows.gather(table, split.textIds()); // [textTokens, dim]
      ModalityRows.scatterAdd(out, split.text(), rows); // rows are disjoint: exact copies
      NativeMemory.release(rows);
    }
    INDArray rows = ModalityRows.gather(visionTable, split.visionIds()); // [visionTokens, dim]
    ModalityRows.scatterAdd(out, split.vision(), rows);
    NativeMemory.release(rows);
    return out;
  }

  /** Adds dx's rows into the embedding gradient (repeated tokens accumulate). */
  public void backward(int[] tokens, INDArray dx, Parameters grads) {
    backward(tokens, null, dx, grads);
  }

  /** Adds dx's rows into the gradient of the table each token was read from. */
  public void backward(int[] tokens, boolean[] vision, INDArray dx, Parameters grads) {
    ModalityRows split = ModalityRows.of(tokens, vision);
    if (!split.hasVision()) {
      ModalityRows.scatterAdd(grads.get(ParameterNames.EMBED_TOKENS), tokens, dx);
      return;
    }
    if (split.text().length > 0) {
      INDArray rows = ModalityRows.gather(dx, split.text()); // [textTokens, dim]
      ModalityRows.scatterAdd(grads.get(ParameterNames.EMBED_TOKENS), split.textIds(), rows);
      NativeMemory.release(rows);
    }
    INDArray rows = ModalityRows.gather(dx, split.vision()); // [visionTokens, dim]
    ModalityRows.scatterAdd(grads.get(ParameterNames.VISION_EMBED_TOKENS), split.visionIds(), rows);
    NativeMemory.release(rows);
  }

  private static void check(int[] positions, int[] ids, INDArray table, String what) {
    int vocab = (int) table.size(0);
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= vocab) {
        throw new IllegalArgumentException("token id " + ids[i] + " at position " + positions[i] + " is outside the " + what
            + " of " + vocab);
      }
    }
  }
}

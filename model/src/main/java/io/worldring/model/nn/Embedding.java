package io.worldring.model.nn;

import io.worldring.model.NativeMemory;
import io.worldring.model.ParameterNames;
import io.worldring.model.Parameters;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scatter.ScatterAdd;
import org.nd4j.linalg.factory.Nd4j;

/** Token embedding: row lookup forward, scatter-add of rows backward. */
public final class Embedding {
  private final INDArray table; // [vocab, dim]

  public Embedding(Parameters p) {
    this.table = p.get(ParameterNames.EMBED_TOKENS);
  }

  /** @param tokens [tokens]; returns [tokens, dim] */
  public INDArray forward(int[] tokens) {
    int vocab = (int) table.size(0);
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] < 0 || tokens[i] >= vocab) {
        throw new IllegalArgumentException("token id " + tokens[i] + " at position " + i + " is outside the vocabulary of " + vocab);
      }
    }
    return table.getRows(tokens);
  }

  /** Adds dx's rows into the embedding gradient (repeated tokens accumulate). */
  public void backward(int[] tokens, INDArray dx, Parameters grads) {
    INDArray indices = Nd4j.createFromArray(tokens).castTo(DataType.INT32); // [tokens]
    INDArray table = grads.get(ParameterNames.EMBED_TOKENS); // [vocab, dim]
    ScatterAdd op = new ScatterAdd(table, indices, dx);
    op.addOutputArgument(table); // in place: the op otherwise writes a fresh [vocab, dim] copy
    Nd4j.exec(op);
    NativeMemory.release(indices);
  }
}

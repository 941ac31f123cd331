package io.worldring.model.nn;

import io.worldring.model.ModelConfig;
import io.worldring.model.NativeMemory;
import io.worldring.model.ParameterNames;
import io.worldring.model.Parameters;
import io.worldring.model.attention.AttentionGradients;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The projections around grouped-query self-attention: q, k, v (with RoPE) before it and o after it.
 * The attention itself (softmax(QK^T / sqrt(d)) V) is not here: it is computed block by block, on one
 * device by {@link io.worldring.model.attention.LocalAttention} or around a ring of devices, which is
 * why a {@link TransformerBlock} runs in two phases around it.
 */
public final class Attention {
  private final INDArray wq; // [heads * headDim, dim]
  private final INDArray wk; // [kvHeads * headDim, dim]
  private final INDArray wv; // [kvHeads * headDim, dim]
  private final INDArray wo; // [dim, heads * headDim]
  private final String wqName;
  private final String wkName;
  private final String wvName;
  private final String woName;
  private final int heads;
  private final int kvHeads;
  private final int headDim;
  private final RotaryEmbedding rope;

  /**
   * Attention inputs after RoPE.
   *
   * @param q [heads, tokens, headDim]
   * @param k [kvHeads, tokens, headDim]
   * @param v [kvHeads, tokens, headDim]
   */
  public record Qkv(INDArray q, INDArray k, INDArray v) {
    public void release() {
      NativeMemory.release(q, k, v);
    }
  }

  public Attention(ModelConfig c, Parameters p, int layer, RotaryEmbedding rope) {
    this.wqName = ParameterNames.qProj(layer);
    this.wkName = ParameterNames.kProj(layer);
    this.wvName = ParameterNames.vProj(layer);
    this.woName = ParameterNames.oProj(layer);
    this.wq = p.get(wqName);
    this.wk = p.get(wkName);
    this.wv = p.get(wvName);
    this.wo = p.get(woName);
    this.heads = c.nHeads();
    this.kvHeads = c.nKvHeads();
    this.headDim = c.headDim();
    this.rope = rope;
  }

  /** 1/sqrt(headDim). */
  public double scale() {
    return 1.0 / Math.sqrt(headDim);
  }

  /** @param xn normalised input, [tokens, dim] */
  public Qkv project(INDArray xn, RotaryEmbedding.Tables angles) {
    INDArray q = rotated(project(xn, wq, heads), angles); // [heads, tokens, headDim]
    INDArray k = rotated(project(xn, wk, kvHeads), angles); // [kvHeads, tokens, headDim]
    INDArray v = project(xn, wv, kvHeads); // [kvHeads, tokens, headDim]
    return new Qkv(q, k, v);
  }

  /** @param merged attention output, [tokens, heads * headDim]; returns [tokens, dim] */
  public INDArray output(INDArray merged) {
    return Linear.forward(merged, wo);
  }

  /** Returns the gradient of the attention output, [heads, tokens, headDim]; adds dWo. */
  public INDArray backwardOutput(INDArray merged, INDArray dy, Parameters grads) {
    INDArray dMerged = Linear.backward(merged, wo, dy, grads.get(woName)); // [tokens, heads * headDim]
    INDArray dOut = Heads.split(dMerged, heads);
    NativeMemory.release(dMerged);
    return dOut;
  }

  /** Returns the gradient of the normalised input, [tokens, dim]; adds dWq, dWk, dWv. */
  public INDArray backwardProject(INDArray xn, AttentionGradients g, RotaryEmbedding.Tables angles, Parameters grads) {
    INDArray dx = backwardProject(xn, unrotated(g.dq(), angles), wq, wqName, grads);
    INDArray dxK = backwardProject(xn, unrotated(g.dk(), angles), wk, wkName, grads);
    INDArray dxV = backwardProject(xn, Heads.merge(g.dv()), wv, wvName, grads);
    dx.addi(dxK).addi(dxV);
    NativeMemory.release(dxK, dxV);
    return dx;
  }

  /** x W^T split into heads, [nHeads, tokens, headDim]. */
  private static INDArray project(INDArray xn, INDArray w, int nHeads) {
    INDArray y = Linear.forward(xn, w); // [tokens, nHeads * headDim]
    INDArray out = Heads.split(y, nHeads);
    NativeMemory.release(y);
    return out;
  }

  private INDArray rotated(INDArray x, RotaryEmbedding.Tables angles) {
    INDArray out = rope.rotate(x, angles);
    NativeMemory.release(x);
    return out;
  }

  /** The rotation undone and heads merged: [tokens, nHeads * headDim]. */
  private INDArray unrotated(INDArray d, RotaryEmbedding.Tables angles) {
    INDArray back = rope.rotateBack(d, angles); // [nHeads, tokens, headDim]
    INDArray merged = Heads.merge(back);
    NativeMemory.release(back);
    return merged;
  }

  /** dx of one projection; frees the merged gradient it was given. */
  private static INDArray backwardProject(INDArray xn, INDArray dMerged, INDArray w, String name, Parameters grads) {
    INDArray dx = Linear.backward(xn, w, dMerged, grads.get(name));
    NativeMemory.release(dMerged);
    return dx;
  }
}

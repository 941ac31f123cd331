package io.worldring.model.nn;

import io.worldring.model.ModelConfig;
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
  public record Qkv(INDArray q, INDArray k, INDArray v) {}

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
    INDArray q = rope.rotate(Heads.split(Linear.forward(xn, wq), heads), angles); // [heads, tokens, headDim]
    INDArray k = rope.rotate(Heads.split(Linear.forward(xn, wk), kvHeads), angles); // [kvHeads, tokens, headDim]
    INDArray v = Heads.split(Linear.forward(xn, wv), kvHeads); // [kvHeads, tokens, headDim]
    return new Qkv(q, k, v);
  }

  /** @param merged attention output, [tokens, heads * headDim]; returns [tokens, dim] */
  public INDArray output(INDArray merged) {
    return Linear.forward(merged, wo);
  }

  /** Returns the gradient of the attention output, [heads, tokens, headDim]; adds dWo. */
  public INDArray backwardOutput(INDArray merged, INDArray dy, Parameters grads) {
    return Heads.split(Linear.backward(merged, wo, dy, grads.get(woName)), heads);
  }

  /** Returns the gradient of the normalised input, [tokens, dim]; adds dWq, dWk, dWv. */
  public INDArray backwardProject(INDArray xn, AttentionGradients g, RotaryEmbedding.Tables angles, Parameters grads) {
    INDArray dq = Heads.merge(rope.rotateBack(g.dq(), angles)); // [tokens, heads * headDim]
    INDArray dk = Heads.merge(rope.rotateBack(g.dk(), angles)); // [tokens, kvHeads * headDim]
    INDArray dv = Heads.merge(g.dv()); // [tokens, kvHeads * headDim]
    INDArray dx = Linear.backward(xn, wq, dq, grads.get(wqName));
    dx.addi(Linear.backward(xn, wk, dk, grads.get(wkName)));
    return dx.addi(Linear.backward(xn, wv, dv, grads.get(wvName)));
  }
}

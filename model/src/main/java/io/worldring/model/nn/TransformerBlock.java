package io.worldring.model.nn;

import io.worldring.model.ModelConfig;
import io.worldring.model.ParameterNames;
import io.worldring.model.Parameters;
import io.worldring.model.attention.AttentionGradients;
import io.worldring.model.attention.AttentionOutput;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One pre-norm LLaMA block: x1 = x + o(attn(norm1 x)); y = x1 + mlp(norm2 x1).
 *
 * <p>It runs in two phases around the attention itself, so that the caller decides how attention is
 * computed (one device, or a ring): {@link #beforeAttention} produces q, k, v; the caller computes
 * {@link AttentionOutput}; {@link #afterAttention} finishes the block. Backward mirrors this:
 * {@link #backwardAfterAttention} yields dOut for the attention, the caller computes dq, dk, dv, and
 * {@link #backwardBeforeAttention} returns dx.
 *
 * <p>With activation checkpointing ({@code recompute}), only the block input and the attention output
 * and statistics are kept; norms, projections and the MLP are recomputed in backward. Attention itself
 * is never recomputed: on a ring that would mean another round of communication.
 */
public final class TransformerBlock {
  private final RmsNorm attentionNorm;
  private final Attention attention;
  private final RmsNorm mlpNorm;
  private final SwiGluMlp mlp;

  /** Forward state between the two phases. */
  public record BeforeAttention(INDArray x, RmsNorm.Saved norm, INDArray normalized, Attention.Qkv qkv) {}

  /** Everything backward may need; the recomputable parts are null when checkpointing. */
  public record Activations(
      INDArray x, // block input, [tokens, dim]
      AttentionOutput attention, // out [heads, tokens, headDim], lse [heads * tokens]
      INDArray output, // block output, [tokens, dim]
      Recomputable parts) {
    /** An activation-checkpointed copy: only what cannot be recomputed cheaply. */
    public Activations checkpointed() {
      return new Activations(x, attention, output, null);
    }
  }

  /** Activations that are cheap to recompute from the block input and attention output. */
  public record Recomputable(
      RmsNorm.Saved attentionNorm,
      INDArray normalized, // [tokens, dim]
      Attention.Qkv qkv,
      INDArray merged, // attention output, [tokens, heads * headDim]
      RmsNorm.Saved mlpNorm,
      SwiGluMlp.Saved mlp) {}

  /** Backward state between the two phases. */
  public record AfterAttentionGrad(Recomputable parts, INDArray dResidual, INDArray dAttentionOut) {} // [tokens, dim], [heads, tokens, headDim]

  public TransformerBlock(ModelConfig c, Parameters p, int layer, RotaryEmbedding rope) {
    this.attentionNorm = new RmsNorm(p.get(ParameterNames.inputNorm(layer)), ParameterNames.inputNorm(layer), c.normEps());
    this.attention = new Attention(c, p, layer, rope);
    this.mlpNorm = new RmsNorm(p.get(ParameterNames.postAttentionNorm(layer)), ParameterNames.postAttentionNorm(layer), c.normEps());
    this.mlp = new SwiGluMlp(p, ParameterNames.gateProj(layer), ParameterNames.upProj(layer), ParameterNames.downProj(layer));
  }

  public Attention attention() {
    return attention;
  }

  /** @param x [tokens, dim] */
  public BeforeAttention beforeAttention(INDArray x, RotaryEmbedding.Tables angles) {
    RmsNorm.Saved norm = attentionNorm.normalize(x);
    INDArray normalized = attentionNorm.output(norm); // [tokens, dim]
    return new BeforeAttention(x, norm, normalized, attention.project(normalized, angles));
  }

  public Activations afterAttention(BeforeAttention before, AttentionOutput attn) {
    INDArray merged = Heads.merge(attn.out()); // [tokens, heads * headDim]
    INDArray x1 = before.x().add(attention.output(merged)); // [tokens, dim]
    Recomputable parts = mlpInputs(before, merged, x1);
    INDArray y = x1.addi(mlp.output(parts.mlp())); // x1 is not needed again: the residual adds in place
    return new Activations(before.x(), attn, y, parts);
  }

  private Recomputable mlpInputs(BeforeAttention before, INDArray merged, INDArray x1) {
    RmsNorm.Saved norm2 = mlpNorm.normalize(x1);
    SwiGluMlp.Saved hidden = mlp.hidden(mlpNorm.output(norm2));
    return new Recomputable(before.norm(), before.normalized(), before.qkv(), merged, norm2, hidden);
  }

  /** @param dy gradient of the block output, [tokens, dim] */
  public AfterAttentionGrad backwardAfterAttention(Activations a, INDArray dy, RotaryEmbedding.Tables angles, Parameters grads) {
    Recomputable r = a.parts() != null ? a.parts() : recompute(a, angles);
    INDArray dNormalized2 = mlp.backward(r.mlp(), dy, grads);
    INDArray dResidual = dy.add(mlpNorm.backward(r.mlpNorm(), dNormalized2, grads)); // dx1, [tokens, dim]
    INDArray dOut = attention.backwardOutput(r.merged(), dResidual, grads); // [heads, tokens, headDim]
    return new AfterAttentionGrad(r, dResidual, dOut);
  }

  /** Returns the gradient of the block input, [tokens, dim]. */
  public INDArray backwardBeforeAttention(AfterAttentionGrad g, AttentionGradients dAttention, RotaryEmbedding.Tables angles, Parameters grads) {
    INDArray dNormalized = attention.backwardProject(g.parts().normalized(), dAttention, angles, grads);
    return g.dResidual().addi(attentionNorm.backward(g.parts().attentionNorm(), dNormalized, grads));
  }

  private Recomputable recompute(Activations a, RotaryEmbedding.Tables angles) {
    BeforeAttention before = beforeAttention(a.x(), angles);
    INDArray merged = Heads.merge(a.attention().out()); // [tokens, heads * headDim]
    return mlpInputs(before, merged, a.x().add(attention.output(merged)));
  }
}

package io.worldring.model.nn;

import io.worldring.model.ModelConfig;
import io.worldring.model.NativeMemory;
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
 *
 * <p>Ownership: each record says which arrays it owns; {@code release()} frees them (see
 * {@link NativeMemory}). The block input {@code x} belongs to whoever produced it.
 */
public final class TransformerBlock {
  private final RmsNorm attentionNorm;
  private final Attention attention;
  private final RmsNorm mlpNorm;
  private final SwiGluMlp mlp;

  /** Forward state between the two phases; owns all but {@code x}. */
  public record BeforeAttention(INDArray x, RmsNorm.Saved norm, INDArray normalized, Attention.Qkv qkv) {} // x, normalized [tokens, dim]

  /** Everything backward may need; owns all but {@code x}. The recomputable parts are null when checkpointing. */
  public record Activations(
      INDArray x, // block input, [tokens, dim]
      AttentionOutput attention, // out [heads, tokens, headDim], lse [heads * tokens]
      INDArray output, // block output, [tokens, dim]
      Recomputable parts) {

    /** An activation-checkpointed copy: only what cannot be recomputed cheaply; the rest is freed. */
    public Activations checkpointed() {
      if (parts != null) {
        parts.release();
      }
      return new Activations(x, attention, output, null);
    }

    /** Frees everything but the block output (which the next block reads). */
    public void releaseExceptOutput() {
      NativeMemory.release(attention.out(), attention.logSumExp());
      if (parts != null) {
        parts.release();
      }
    }

    public void release() {
      releaseExceptOutput();
      NativeMemory.release(output);
    }

    /** Bytes held (the input belongs to the previous block and is not counted). */
    public long bytes() {
      return NativeMemory.bytes(attention.out(), attention.logSumExp(), output) + (parts == null ? 0 : parts.bytes());
    }
  }

  /** Activations that are cheap to recompute from the block input and attention output. */
  public record Recomputable(
      RmsNorm.Saved attentionNorm,
      INDArray normalized, // [tokens, dim]
      Attention.Qkv qkv,
      INDArray merged, // attention output, [tokens, heads * headDim]
      RmsNorm.Saved mlpNorm,
      SwiGluMlp.Saved mlp) { // mlp.x() is the normalised x1, owned here

    public void release() {
      attentionNorm.release();
      qkv.release();
      mlpNorm.release();
      mlp.release();
      NativeMemory.release(normalized, merged, mlp.x());
    }

    long bytes() {
      return NativeMemory.bytes(attentionNorm.normalized(), attentionNorm.invRms(), normalized, qkv.q(), qkv.k(), qkv.v(), merged,
          mlpNorm.normalized(), mlpNorm.invRms(), mlp.x(), mlp.gateOut(), mlp.upOut(), mlp.activated());
    }
  }

  /**
   * Backward state between the two phases.
   *
   * @param parts the activations used (recomputed ones are owned here, see {@code recomputed})
   * @param dResidual dx1, [tokens, dim]; becomes dx
   * @param dAttentionOut [heads, tokens, headDim]
   */
  public record AfterAttentionGrad(Recomputable parts, boolean recomputed, INDArray dResidual, INDArray dAttentionOut) {}

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

  /** Finishes the block; takes ownership of {@code before} and {@code attn}. */
  public Activations afterAttention(BeforeAttention before, AttentionOutput attn) {
    INDArray merged = Heads.merge(attn.out()); // [tokens, heads * headDim]
    INDArray x1 = residual(before.x(), attention.output(merged)); // [tokens, dim]
    Recomputable parts = mlpInputs(before, merged, x1);
    INDArray mlpOut = mlp.output(parts.mlp()); // [tokens, dim]
    INDArray y = x1.addi(mlpOut); // x1 is not needed again: the residual adds in place
    NativeMemory.release(mlpOut);
    return new Activations(before.x(), attn, y, parts);
  }

  /** @param dy gradient of the block output, [tokens, dim]; not freed here */
  public AfterAttentionGrad backwardAfterAttention(Activations a, INDArray dy, RotaryEmbedding.Tables angles, Parameters grads) {
    boolean recomputed = a.parts() == null;
    Recomputable r = recomputed ? recompute(a, angles) : a.parts();
    INDArray dNormalized2 = mlp.backward(r.mlp(), dy, grads);
    INDArray dFromMlp = mlpNorm.backward(r.mlpNorm(), dNormalized2, grads);
    INDArray dResidual = dy.add(dFromMlp); // dx1, [tokens, dim]
    NativeMemory.release(dNormalized2, dFromMlp);
    INDArray dOut = attention.backwardOutput(r.merged(), dResidual, grads); // [heads, tokens, headDim]
    return new AfterAttentionGrad(r, recomputed, dResidual, dOut);
  }

  /**
   * Returns the gradient of the block input, [tokens, dim]. Frees what {@code g} owns and the
   * attention gradients.
   */
  public INDArray backwardBeforeAttention(AfterAttentionGrad g, AttentionGradients dAttention, RotaryEmbedding.Tables angles, Parameters grads) {
    INDArray dNormalized = attention.backwardProject(g.parts().normalized(), dAttention, angles, grads);
    INDArray dFromNorm = attentionNorm.backward(g.parts().attentionNorm(), dNormalized, grads);
    INDArray dx = g.dResidual().addi(dFromNorm);
    NativeMemory.release(dNormalized, dFromNorm, g.dAttentionOut(), dAttention.dq(), dAttention.dk(), dAttention.dv());
    if (g.recomputed()) {
      g.parts().release();
    }
    return dx;
  }

  private Recomputable mlpInputs(BeforeAttention before, INDArray merged, INDArray x1) {
    RmsNorm.Saved norm2 = mlpNorm.normalize(x1);
    SwiGluMlp.Saved hidden = mlp.hidden(mlpNorm.output(norm2));
    return new Recomputable(before.norm(), before.normalized(), before.qkv(), merged, norm2, hidden);
  }

  private Recomputable recompute(Activations a, RotaryEmbedding.Tables angles) {
    BeforeAttention before = beforeAttention(a.x(), angles);
    INDArray merged = Heads.merge(a.attention().out()); // [tokens, heads * headDim]
    INDArray x1 = residual(a.x(), attention.output(merged));
    Recomputable r = mlpInputs(before, merged, x1);
    NativeMemory.release(x1);
    return r;
  }

  /** x + delta, computed in delta's memory. */
  private static INDArray residual(INDArray x, INDArray delta) {
    return delta.addi(x);
  }
}

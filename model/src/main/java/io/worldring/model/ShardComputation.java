package io.worldring.model;

import io.worldring.model.attention.AttentionGradients;
import io.worldring.model.attention.AttentionMasks;
import io.worldring.model.attention.AttentionOutput;
import io.worldring.model.attention.QueryBlockAttention;
import io.worldring.model.attention.QueryBlockAttentionBackward;
import io.worldring.model.attention.TokenBlock;
import io.worldring.model.nn.OutputHead;
import io.worldring.model.nn.RotaryEmbedding;
import io.worldring.model.nn.TransformerBlock;
import io.worldring.model.train.TrainingSequence;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One device's share of a training sequence: forward and backward of the tokens it owns, with the
 * attention's key/value blocks supplied from outside, one at a time. On one device the only block is
 * its own ({@link LlamaModel#lossAndGradients}); in a ring the blocks arrive from the neighbour.
 *
 * <p>The calls follow the RingAttention schedule:
 * <pre>
 *   for each layer:            kv = beginLayer(); attend(block, ...) once per block; endLayer()
 *   loss()
 *   for each layer, reversed:  kv = beginBackwardLayer(); attendBackward(block, ..., dk, dv) once per block;
 *                              endBackwardLayer(own dk, own dv)
 *   finish()
 * </pre>
 * Parameter gradients accumulate into the {@code grads} given; loss weights must already be normalised
 * over the whole batch, so the shards' losses and gradients add up to the full sequence's.
 */
public final class ShardComputation {
  /**
   * The key/value block this device owns at the current layer; owned by the computation, valid until the
   * layer ends. Senders copy it.
   *
   * @param k [kvHeads, tokens, headDim]
   * @param v [kvHeads, tokens, headDim]
   */
  public record KeyValue(TokenBlock tokens, INDArray k, INDArray v) {}

  private final LlamaModel model;
  private final TrainingSequence shard;
  private final Parameters grads;
  private final TokenBlock tokens;
  private final RotaryEmbedding.Tables angles;
  private final AttentionMasks masks;
  private final int tile;
  private final List<TransformerBlock.Activations> saved = new ArrayList<>();
  private final INDArray embedded; // [tokens, dim]
  private INDArray x; // the next block's input, [tokens, dim]
  private int layer;
  private TransformerBlock.BeforeAttention before;
  private QueryBlockAttention attention;
  private INDArray dx; // gradient of the current block's output, [tokens, dim]
  private TransformerBlock.AfterAttentionGrad grad;
  private QueryBlockAttentionBackward attentionBackward;
  private long peakBytes;
  private long scratchBytes; // the largest attention tile pair's temporaries
  private final boolean forwardOnly;

  public ShardComputation(LlamaModel model, TrainingSequence shard, Parameters grads) {
    this(model, shard, grads, false);
  }

  /**
   * @param forwardOnly inference: activations are freed as soon as a layer ends (no backward follows), and
   *     after the last layer {@link #logits} replaces {@link #loss}
   */
  public ShardComputation(LlamaModel model, TrainingSequence shard, Parameters grads, boolean forwardOnly) {
    this.forwardOnly = forwardOnly;
    this.model = model;
    this.shard = shard;
    this.grads = grads;
    this.tokens = shard.tokenBlock();
    this.angles = model.rope().tables(shard.positions(), model.parameters().dataType());
    this.masks = new AttentionMasks(true, model.parameters().dataType());
    this.tile = model.options().attentionBlock();
    this.embedded = model.embedding().forward(shard.tokens(), shard.visionInputs());
    this.x = embedded;
  }

  public int layers() {
    return model.blocks().size();
  }

  /** The current layer: counting up in forward, down in backward. */
  public int layer() {
    return layer;
  }

  public TokenBlock tokens() {
    return tokens;
  }

  /** Starts the current layer's forward: q, k, v of this device's tokens. */
  public KeyValue beginLayer() {
    TransformerBlock block = model.blocks().get(layer);
    before = block.beforeAttention(x, angles);
    attention = new QueryBlockAttention(tokens, before.qkv().q(), tile, block.attention().scale(), masks);
    return new KeyValue(tokens, before.qkv().k(), before.qkv().v());
  }

  /** Folds in one key/value block (this device's own, or one from the ring); does not free it. */
  public void attend(int block, TokenBlock keys, INDArray k, INDArray v) {
    attention.accumulate(block, keys, k, v);
  }

  /** Finishes the current layer after every block was attended. */
  public void endLayer() {
    scratchBytes = Math.max(scratchBytes, attention.scratchBytes());
    AttentionOutput out = attention.finish();
    TransformerBlock.Activations a = model.blocks().get(layer).afterAttention(before, out);
    if (forwardOnly) {
      a.releaseExceptOutput();
      io.worldring.model.NativeMemory.release(x); // this layer's input (the embedding, for the first)
    } else {
      saved.add(model.options().recompute() ? a.checkpointed() : a);
    }
    x = a.output();
    before = null;
    attention = null;
    layer++;
    notePeak();
  }

  /**
   * Inference, after the last layer: the logits of this shard's token {@code row}, from the head its target
   * kind asks for ({@link TrainingSequence#visionTarget}: the vision head's [visionVocab] where set, the LM
   * head's [vocab] otherwise); frees everything. A ring's callers ask for vision logits this way, through the
   * sequence they send.
   */
  public float[] logits(int row) {
    return logits(row, Modality.of(shard.visionTarget(row)));
  }

  /** Inference, after the last layer: the logits of {@code head} at this shard's token {@code row}; frees everything. */
  public float[] logits(int row, Modality head) {
    if (!forwardOnly || layer != layers()) {
      throw new IllegalStateException("logits() needs a forward-only computation whose forward pass finished");
    }
    INDArray last = x.getRow(row).reshape(1, x.columns()).dup(); // [1, dim]
    INDArray logits = model.head().logits(last, head); // [1, vocab or visionVocab]
    float[] out = logits.dup('c').data().asFloat();
    io.worldring.model.NativeMemory.release(last, logits, x);
    angles.release();
    masks.release();
    x = null;
    return out;
  }

  /** Inference: frees what a shard that holds no asked-for token keeps after its forward pass. */
  public void releaseForward() {
    if (x != null) {
      io.worldring.model.NativeMemory.release(x);
      x = null;
    }
    angles.release();
    masks.release();
  }

  /** After the last layer: this shard's weighted loss, and the start of backward. */
  public double loss() {
    if (layer != layers()) {
      throw new IllegalStateException("loss() before the forward pass finished (layer " + layer + ")");
    }
    OutputHead.Result result = model.head().lossAndBackward(x, shard.targets(), shard.weights(), shard.visionTargets(), grads);
    dx = result.dx();
    layer = layers() - 1;
    return result.loss();
  }

  /** Starts the current layer's backward; returns this device's k, v, whose dK/dV start at zero. */
  public KeyValue beginBackwardLayer() {
    TransformerBlock block = model.blocks().get(layer);
    TransformerBlock.Activations a = saved.get(layer);
    grad = block.backwardAfterAttention(a, dx, angles, grads);
    NativeMemory.release(dx);
    dx = null;
    var qkv = grad.parts().qkv();
    attentionBackward = new QueryBlockAttentionBackward(tokens, qkv.q(), a.attention().out(), a.attention().logSumExp(),
        grad.dAttentionOut(), tile, block.attention().scale(), masks);
    notePeak();
    return new KeyValue(tokens, qkv.k(), qkv.v());
  }

  /** Adds this device's contributions to one key block's gradients {@code dk}, {@code dv}. */
  public void attendBackward(int block, TokenBlock keys, INDArray k, INDArray v, INDArray dk, INDArray dv) {
    attentionBackward.accumulate(block, keys, k, v, dk, dv);
  }

  /** Finishes the current layer's backward with this device's fully accumulated dK, dV (freed here). */
  public void endBackwardLayer(INDArray dk, INDArray dv) {
    scratchBytes = Math.max(scratchBytes, attentionBackward.scratchBytes());
    INDArray dq = attentionBackward.finish();
    dx = model.blocks().get(layer).backwardBeforeAttention(grad, new AttentionGradients(dq, dk, dv), angles, grads);
    saved.get(layer).release();
    saved.set(layer, null);
    grad = null;
    attentionBackward = null;
    layer--;
  }

  /** The embeddings' gradients (text and vision tables), then frees everything. */
  public void finish() {
    if (layer != -1) {
      throw new IllegalStateException("finish() before backward reached the first layer (layer " + layer + ")");
    }
    model.embedding().backward(shard.tokens(), shard.visionInputs(), dx, grads);
    NativeMemory.release(dx, embedded);
    angles.release();
    masks.release();
  }

  /**
   * Peak activation memory: the most bytes of saved activations held at a phase boundary, plus the
   * largest attention tile pair's temporaries (the only arrays whose size is quadratic, in the tile).
   */
  public long peakActivationBytes() {
    return peakBytes + scratchBytes;
  }

  private void notePeak() {
    long bytes = NativeMemory.bytes(embedded);
    for (TransformerBlock.Activations a : saved) {
      if (a != null) {
        bytes += a.bytes();
      }
    }
    peakBytes = Math.max(peakBytes, bytes);
  }
}

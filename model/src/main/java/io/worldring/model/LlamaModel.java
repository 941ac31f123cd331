package io.worldring.model;

import io.worldring.model.attention.AttentionOutput;
import io.worldring.model.attention.LocalAttention;
import io.worldring.model.attention.TokenBlock;
import io.worldring.model.nn.Embedding;
import io.worldring.model.nn.OutputHead;
import io.worldring.model.nn.RotaryEmbedding;
import io.worldring.model.nn.TransformerBlock;
import io.worldring.model.train.TrainingSequence;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A LLaMA-2 decoder: token embedding, blocks of (RMSNorm, GQA attention with RoPE, RMSNorm, SwiGLU),
 * final RMSNorm, LM head; with vision tables (LWM stage II) a vision embedding and a vision head beside the
 * text ones, chosen per position by a {@link TrainingSequence}'s vision masks. The weights live in {@link Parameters} under Hugging Face names; the layers
 * hold references to them, so an optimizer updating the tensors in place updates the model.
 */
public final class LlamaModel {
  private final ModelConfig config;
  private final Parameters params;
  private final RotaryEmbedding rope;
  private final Embedding embedding;
  private final List<TransformerBlock> blocks = new ArrayList<>();
  private final OutputHead head;

  /** How attention and activation memory are handled on one device. */
  public record ComputeOptions(int attentionBlock, boolean recompute, int lossChunkRows) {
    public static ComputeOptions defaults() {
      return new ComputeOptions(512, false, 1024);
    }
  }

  private final ComputeOptions options;

  public LlamaModel(ModelConfig config, Parameters params) {
    this(config, params, ComputeOptions.defaults());
  }

  public LlamaModel(ModelConfig config, Parameters params, ComputeOptions options) {
    ParameterLayout.validate(config, params, "model parameters");
    this.config = config;
    this.params = params;
    this.options = options;
    this.rope = new RotaryEmbedding(config.headDim(), config.ropeTheta());
    this.embedding = new Embedding(params);
    for (int l = 0; l < config.nLayers(); l++) {
      blocks.add(new TransformerBlock(config, params, l, rope));
    }
    this.head = new OutputHead(config, params, options.lossChunkRows());
  }

  public ModelConfig config() {
    return config;
  }

  public Parameters parameters() {
    return params;
  }

  public ComputeOptions options() {
    return options;
  }

  public RotaryEmbedding rope() {
    return rope;
  }

  public Embedding embedding() {
    return embedding;
  }

  public List<TransformerBlock> blocks() {
    return blocks;
  }

  public OutputHead head() {
    return head;
  }

  /** Text logits of every position of a text sequence starting at position 0, [tokens, vocab]. */
  public INDArray logits(int[] tokens) {
    return logits(tokens, null, Modality.TEXT);
  }

  /**
   * Logits of every position of a sequence starting at position 0 under one head: [tokens, vocab] for
   * {@link Modality#TEXT}, [tokens, visionVocab] for {@link Modality#VISION}.
   *
   * @param vision per token, whether it is a vision code (read through the vision embedding); null: all text
   */
  public INDArray logits(int[] tokens, boolean[] vision, Modality headKind) {
    TokenBlock layout = TokenBlock.contiguous(0, tokens.length);
    RotaryEmbedding.Tables angles = rope.tables(layout.positions(), params.dataType());
    LocalAttention attention = new LocalAttention(layout, options.attentionBlock(), true);
    INDArray x = forwardBlocks(embedding.forward(tokens, vision), angles, attention);
    INDArray logits = head.logits(x, headKind);
    NativeMemory.release(x);
    angles.release();
    attention.release();
    return logits;
  }

  /** Runs every block from the embedding output {@code x}; frees everything but the returned output. */
  private INDArray forwardBlocks(INDArray x, RotaryEmbedding.Tables angles, LocalAttention attention) {
    for (TransformerBlock block : blocks) {
      TransformerBlock.BeforeAttention before = block.beforeAttention(x, angles);
      AttentionOutput out = attention.forward(before.qkv().q(), before.qkv().k(), before.qkv().v(), block.attention().scale());
      TransformerBlock.Activations a = block.afterAttention(before, out);
      a.releaseExceptOutput();
      NativeMemory.release(x);
      x = a.output();
    }
    return x;
  }

  /** The weighted loss sum of one sequence, forward only. */
  public double loss(TrainingSequence seq) {
    RotaryEmbedding.Tables angles = rope.tables(seq.positions(), params.dataType());
    LocalAttention attention = new LocalAttention(seq.tokenBlock(), options.attentionBlock(), true);
    INDArray x = forwardBlocks(embedding.forward(seq.tokens(), seq.visionInputs()), angles, attention);
    double loss = head.loss(x, seq.targets(), seq.weights(), seq.visionTargets());
    NativeMemory.release(x);
    angles.release();
    attention.release();
    return loss;
  }

  /**
   * Forward and backward of one sequence on this device: a ring of one, whose only key/value block is
   * its own. Adds parameter gradients into {@code grads} and returns the weighted loss sum (see
   * {@link io.worldring.model.nn.CrossEntropy}).
   */
  public double lossAndGradients(TrainingSequence seq, Parameters grads) {
    ShardComputation shard = new ShardComputation(this, seq, grads);
    for (int l = 0; l < blocks.size(); l++) {
      ShardComputation.KeyValue own = shard.beginLayer();
      shard.attend(0, own.tokens(), own.k(), own.v());
      shard.endLayer();
    }
    double loss = shard.loss();
    for (int l = blocks.size() - 1; l >= 0; l--) {
      ShardComputation.KeyValue own = shard.beginBackwardLayer();
      INDArray dk = Nd4j.zeros(own.k().dataType(), own.k().shape()); // [kvHeads, tokens, headDim]
      INDArray dv = Nd4j.zeros(own.v().dataType(), own.v().shape()); // [kvHeads, tokens, headDim]
      shard.attendBackward(0, own.tokens(), own.k(), own.v(), dk, dv);
      shard.endBackwardLayer(dk, dv);
    }
    shard.finish();
    return loss;
  }
}

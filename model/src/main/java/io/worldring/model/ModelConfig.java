package io.worldring.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Locale;

/**
 * The shape of a LLaMA-2-style decoder.
 *
 * @param dim model width (hidden_size)
 * @param nLayers number of transformer blocks
 * @param nHeads query heads
 * @param nKvHeads key/value heads; {@code nHeads} must be a multiple (grouped-query attention)
 * @param hiddenDim SwiGLU inner width (intermediate_size)
 * @param vocabSize token vocabulary
 * @param normEps RMSNorm epsilon
 * @param ropeTheta RoPE base; LWM raises it per context stage (1M ... 50M)
 * @param maxSeqLen the context the model is meant for (written to config.json; RoPE itself has no limit)
 * @param tiedEmbeddings the LM head reuses the token embedding matrix
 * @param visionVocabSize vision codes (LWM stage II), which have their own embedding table
 *     ({@code model.vision_embed_tokens.weight}) and output head ({@code vision_head.weight}), chosen per
 *     position by a vision mask; 0 for a text-only model. LWM: 8192 VQGAN codes + {@code <eof>} +
 *     {@code <eov>} = 8194. The vision head is never tied. Written to JSON only when non-zero, so a
 *     text-only config serialises exactly as before this field existed.
 */
public record ModelConfig(
    int dim,
    int nLayers,
    int nHeads,
    int nKvHeads,
    int hiddenDim,
    int vocabSize,
    double normEps,
    double ropeTheta,
    int maxSeqLen,
    boolean tiedEmbeddings,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) int visionVocabSize) {

  /** The names {@link #preset(String)} knows. */
  public static final List<String> PRESETS = List.of("tiny", "small", "llama2-7b");

  public ModelConfig {
    require(dim > 0, "dim must be positive, got " + dim);
    require(nLayers > 0, "n-layers must be positive, got " + nLayers);
    require(nHeads > 0, "n-heads must be positive, got " + nHeads);
    require(nKvHeads > 0 && nKvHeads <= nHeads, "n-kv-heads must be in [1, n-heads], got " + nKvHeads);
    require(nHeads % nKvHeads == 0, "n-heads (" + nHeads + ") must be a multiple of n-kv-heads (" + nKvHeads + ")");
    require(dim % nHeads == 0, "dim (" + dim + ") must be a multiple of n-heads (" + nHeads + ")");
    require((dim / nHeads) % 2 == 0, "head size dim/n-heads must be even for RoPE, got " + dim / nHeads);
    require(hiddenDim > 0, "hidden-dim must be positive, got " + hiddenDim);
    require(vocabSize > 0, "vocab-size must be positive, got " + vocabSize);
    require(normEps > 0, "norm-eps must be positive, got " + normEps);
    require(ropeTheta > 1, "rope-theta must be > 1, got " + ropeTheta);
    require(maxSeqLen > 0, "max-seq-len must be positive, got " + maxSeqLen);
    require(visionVocabSize >= 0, "vision-vocab-size must be 0 (text only) or positive, got " + visionVocabSize);
  }

  /** A text-only model (no vision tables). */
  public ModelConfig(int dim, int nLayers, int nHeads, int nKvHeads, int hiddenDim, int vocabSize, double normEps,
      double ropeTheta, int maxSeqLen, boolean tiedEmbeddings) {
    this(dim, nLayers, nHeads, nKvHeads, hiddenDim, vocabSize, normEps, ropeTheta, maxSeqLen, tiedEmbeddings, 0);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new BadInputException("model config: " + message);
    }
  }

  public int headDim() {
    return dim / nHeads;
  }

  public int kvDim() {
    return nKvHeads * headDim();
  }

  /** Query heads that share one key/value head. */
  public int groupSize() {
    return nHeads / nKvHeads;
  }

  /** Whether the model has vision tables. */
  public boolean hasVision() {
    return visionVocabSize > 0;
  }

  public ModelConfig withRopeTheta(double theta) {
    return new ModelConfig(dim, nLayers, nHeads, nKvHeads, hiddenDim, vocabSize, normEps, theta, maxSeqLen, tiedEmbeddings,
        visionVocabSize);
  }

  public ModelConfig withMaxSeqLen(int len) {
    return new ModelConfig(dim, nLayers, nHeads, nKvHeads, hiddenDim, vocabSize, normEps, ropeTheta, len, tiedEmbeddings,
        visionVocabSize);
  }

  public ModelConfig withVocabSize(int vocab) {
    return new ModelConfig(dim, nLayers, nHeads, nKvHeads, hiddenDim, vocab, normEps, ropeTheta, maxSeqLen, tiedEmbeddings,
        visionVocabSize);
  }

  /** The same model with a vision embedding table and head of {@code codes} rows (0: text only). */
  public ModelConfig withVisionVocab(int codes) {
    return new ModelConfig(dim, nLayers, nHeads, nKvHeads, hiddenDim, vocabSize, normEps, ropeTheta, maxSeqLen, tiedEmbeddings,
        codes);
  }

  /** Number of trainable parameters. */
  public long parameterCount() {
    long perLayer = 2L * dim // two RMSNorm weights
        + (long) dim * dim * 2 // q and o projections
        + (long) dim * kvDim() * 2 // k and v projections
        + 3L * dim * hiddenDim; // SwiGLU
    long embeddings = (long) vocabSize * dim * (tiedEmbeddings ? 1 : 2) + 2L * visionVocabSize * dim;
    return perLayer * nLayers + embeddings + dim;
  }

  /**
   * Matmul FLOPs of one token's forward pass excluding attention scores (2 per multiply-add), counting the
   * text head (a token whose target is a vision code uses the vision head instead);
   * training costs three times this plus {@link #attentionFlopsPerPair()} per attended pair.
   */
  public long forwardFlopsPerToken() {
    long perLayer = 2L * ((long) dim * dim * 2 + (long) dim * kvDim() * 2 + 3L * dim * hiddenDim);
    return perLayer * nLayers + 2L * dim * vocabSize;
  }

  /** Forward FLOPs of attention for one (query, key) pair over all layers: QK^T and PV. */
  public long attentionFlopsPerPair() {
    return 4L * dim * nLayers;
  }

  /**
   * The built-in shapes: {@code tiny} for tests (byte vocabulary), {@code small} for CPU demo runs,
   * {@code llama2-7b} (the shape LWM starts from; not trainable on a CPU).
   */
  public static ModelConfig preset(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "tiny" -> new ModelConfig(64, 2, 4, 2, 176, 272, 1e-5, 10_000, 1024, false);
      case "small" -> new ModelConfig(256, 6, 8, 4, 688, 272, 1e-5, 10_000, 8192, false);
      case "llama2-7b" -> new ModelConfig(4096, 32, 32, 32, 11008, 32000, 1e-5, 10_000, 4096, false);
      default -> throw new BadInputException("unknown model preset '" + name + "' (known: " + String.join(", ", PRESETS) + ")");
    };
  }
}

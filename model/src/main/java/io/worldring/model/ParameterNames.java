package io.worldring.model;

/**
 * Tensor names of the Hugging Face LLaMA layout, which checkpoints and the importers share. The vision
 * tables of LWM's stage II (its Flax {@code transformer/vte/embedding} and {@code vision_head/kernel}) are
 * named after their text counterparts.
 */
public final class ParameterNames {
  public static final String EMBED_TOKENS = "model.embed_tokens.weight";
  public static final String FINAL_NORM = "model.norm.weight";
  public static final String LM_HEAD = "lm_head.weight";
  /** Vision code embedding, [visionVocab, dim]. */
  public static final String VISION_EMBED_TOKENS = "model.vision_embed_tokens.weight";
  /** Vision output head, [visionVocab, dim] (never tied). */
  public static final String VISION_HEAD = "vision_head.weight";

  private ParameterNames() {}

  public static String layer(int layer, String suffix) {
    return "model.layers." + layer + "." + suffix;
  }

  public static String inputNorm(int layer) {
    return layer(layer, "input_layernorm.weight");
  }

  public static String postAttentionNorm(int layer) {
    return layer(layer, "post_attention_layernorm.weight");
  }

  public static String qProj(int layer) {
    return layer(layer, "self_attn.q_proj.weight");
  }

  public static String kProj(int layer) {
    return layer(layer, "self_attn.k_proj.weight");
  }

  public static String vProj(int layer) {
    return layer(layer, "self_attn.v_proj.weight");
  }

  public static String oProj(int layer) {
    return layer(layer, "self_attn.o_proj.weight");
  }

  public static String gateProj(int layer) {
    return layer(layer, "mlp.gate_proj.weight");
  }

  public static String upProj(int layer) {
    return layer(layer, "mlp.up_proj.weight");
  }

  public static String downProj(int layer) {
    return layer(layer, "mlp.down_proj.weight");
  }

  /** The LM head's weight name: the embedding itself when tied. */
  public static String outputWeight(ModelConfig config) {
    return config.tiedEmbeddings() ? EMBED_TOKENS : LM_HEAD;
  }
}

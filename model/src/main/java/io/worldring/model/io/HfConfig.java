package io.worldring.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.BadInputException;
import io.worldring.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Hugging Face {@code config.json} of a LlamaForCausalLM, to and from {@link ModelConfig}; a model with
 * vision tables adds LWM's {@code vision_vocab_size}.
 */
public final class HfConfig {
  public static final String ARCHITECTURE = "LlamaForCausalLM";
  private static final ObjectMapper JSON = new ObjectMapper();

  private HfConfig() {}

  public static ObjectNode toJson(ModelConfig c) {
    ObjectNode n = JSON.createObjectNode();
    n.putArray("architectures").add(ARCHITECTURE);
    n.put("model_type", "llama");
    n.put("hidden_size", c.dim());
    n.put("intermediate_size", c.hiddenDim());
    n.put("num_attention_heads", c.nHeads());
    n.put("num_hidden_layers", c.nLayers());
    n.put("num_key_value_heads", c.nKvHeads());
    n.put("vocab_size", c.vocabSize());
    n.put("rms_norm_eps", c.normEps());
    n.put("rope_theta", c.ropeTheta());
    n.put("max_position_embeddings", c.maxSeqLen());
    n.put("tie_word_embeddings", c.tiedEmbeddings());
    n.put("hidden_act", "silu");
    n.put("attention_bias", false);
    n.put("mlp_bias", false);
    n.putNull("rope_scaling");
    n.put("torch_dtype", "float32");
    if (c.hasVision()) {
      // LWM's VideoLLaMAConfig key; Hugging Face's LLaMA ignores it (and the vision tensors), so the text part loads.
      n.put("vision_vocab_size", c.visionVocabSize());
    }
    return n;
  }

  public static void write(Path file, ModelConfig c) throws IOException {
    Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(c)) + "\n");
  }

  /** Reads a config.json, refusing architectures and options this project does not implement. */
  public static ModelConfig read(Path file) {
    JsonNode n;
    try {
      n = JsonFiles.parse(JSON, Files.readAllBytes(file), file.toString());
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": no such file");
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
    if (!n.isObject()) {
      throw new BadInputException(file + ": not a JSON object");
    }
    JsonNode archs = n.get("architectures");
    String arch = archs != null && archs.isArray() && archs.size() > 0 ? archs.get(0).asText() : null;
    String modelType = n.path("model_type").asText(null);
    if (arch == null ? !"llama".equals(modelType) : !ARCHITECTURE.equals(arch)) {
      throw new BadInputException(file + ": unknown architecture '" + (arch != null ? arch : modelType)
          + "' (supported: " + ARCHITECTURE + ", model_type llama)");
    }
    String act = n.path("hidden_act").asText("silu");
    if (!act.equals("silu")) {
      throw new BadInputException(file + ": hidden_act '" + act + "' is not supported (LLaMA uses silu)");
    }
    if (n.path("attention_bias").asBoolean(false) || n.path("mlp_bias").asBoolean(false)) {
      throw new BadInputException(file + ": attention_bias / mlp_bias are not supported (LLaMA has no biases)");
    }
    if (n.hasNonNull("rope_scaling")) {
      throw new BadInputException(file + ": rope_scaling is not supported; LWM extends context by raising rope_theta instead");
    }
    int heads = required(n, "num_attention_heads", file);
    try {
      return new ModelConfig(
          required(n, "hidden_size", file),
          required(n, "num_hidden_layers", file),
          heads,
          n.has("num_key_value_heads") ? required(n, "num_key_value_heads", file) : heads,
          required(n, "intermediate_size", file),
          required(n, "vocab_size", file),
          number(n, "rms_norm_eps", 1e-6, file),
          number(n, "rope_theta", 10_000, file),
          n.has("max_position_embeddings") ? required(n, "max_position_embeddings", file) : 2048,
          flag(n, "tie_word_embeddings", file),
          n.has("vision_vocab_size") ? required(n, "vision_vocab_size", file) : 0);
    } catch (BadInputException e) {
      throw new BadInputException(file + ": " + e.getMessage(), e);
    }
  }

  private static int required(JsonNode n, String key, Path file) {
    JsonNode v = n.get(key);
    if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new BadInputException(file + ": missing or non-integer '" + key + "'");
    }
    return v.asInt();
  }

  /** An optional number; present, it must be a finite number (not a string, not a float too large for a double). */
  private static double number(JsonNode n, String key, double otherwise, Path file) {
    JsonNode v = n.get(key);
    if (v == null) {
      return otherwise;
    }
    if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
      throw new BadInputException(file + ": '" + key + "' must be a finite number, got " + v);
    }
    return v.asDouble();
  }

  private static boolean flag(JsonNode n, String key, Path file) {
    JsonNode v = n.get(key);
    if (v != null && !v.isBoolean()) {
      throw new BadInputException(file + ": '" + key + "' must be true or false, got " + v);
    }
    return v != null && v.asBoolean();
  }
}

package io.worldring.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.model.BadInputException;
import io.worldring.model.ModelConfig;
import io.worldring.model.ParameterLayout;
import io.worldring.model.Parameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Reads a Hugging Face LLaMA model directory: {@code config.json} plus {@code model.safetensors}, or
 * shards listed in {@code model.safetensors.index.json}. F32, F16 and BF16 weights become fp32;
 * q/k rows are permuted from HF's rotate-half order to adjacent pairs ({@link HfLayout}). This is how a
 * run starts from LLaMA-2 7B, as LWM does.
 */
public final class HfImporter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HfImporter() {}

  public static ImportedModel read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new BadInputException(dir + ": not a directory (expected a Hugging Face model directory with config.json)");
    }
    ModelConfig config = HfConfig.read(dir.resolve("config.json"));
    Parameters raw = new Parameters();
    for (Path shard : shards(dir)) {
      Safetensors.read(shard, DataType.FLOAT).asMap().forEach((name, t) -> {
        if (raw.contains(name)) {
          throw new BadInputException(shard + ": tensor " + name + " appears in more than one shard");
        }
        raw.put(name, t);
      });
    }
    Parameters weights = new Parameters();
    for (String name : ParameterLayout.shapes(config).keySet()) {
      if (!raw.contains(name)) {
        throw new BadInputException(dir + ": the weights have no tensor " + name + " that config.json implies");
      }
      weights.put(name, raw.get(name));
    }
    // Rotary caches some exports include are derived data, not parameters.
    for (String name : raw.names()) {
      if (!weights.contains(name) && !name.endsWith("rotary_emb.inv_freq")) {
        throw new BadInputException(dir + ": unexpected tensor " + name + " for a " + HfConfig.ARCHITECTURE);
      }
    }
    Parameters internal = Checkpoint.fromHf(config, weights);
    ParameterLayout.validate(config, internal, dir.toString());
    return new ImportedModel(config, internal, dir.toString());
  }

  private static Set<Path> shards(Path dir) {
    Path single = dir.resolve("model.safetensors");
    Path index = dir.resolve("model.safetensors.index.json");
    Set<Path> out = new LinkedHashSet<>();
    if (Files.isRegularFile(index)) {
      JsonNode map;
      try {
        map = JsonFiles.parse(JSON, Files.readAllBytes(index), index.toString()).path("weight_map");
      } catch (IOException e) {
        throw new BadInputException(index + ": cannot read (" + e.getMessage() + ")", e);
      }
      if (!map.isObject() || map.isEmpty()) {
        throw new BadInputException(index + ": no weight_map");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String name = e.getValue().asText();
        if (!e.getValue().isTextual() || name.isEmpty() || name.contains("/") || name.contains("\\") || name.contains("..")
            || name.indexOf('\0') >= 0) {
          throw new BadInputException(index + ": weight_map." + e.getKey() + ": shard name '" + name + "' must be a file in the same directory");
        }
        out.add(dir.resolve(name));
      }
    } else if (Files.isRegularFile(single)) {
      out.add(single);
    } else {
      throw new BadInputException(dir + ": no model.safetensors or model.safetensors.index.json"
          + " (PyTorch .bin weights are not read; convert them to safetensors first)");
    }
    return out;
  }
}

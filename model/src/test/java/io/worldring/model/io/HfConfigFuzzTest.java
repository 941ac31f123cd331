package io.worldring.model.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.BadInputException;
import io.worldring.model.ModelConfig;
import io.worldring.model.ParameterLayout;
import io.worldring.model.Parameters;
import io.worldring.model.fuzz.CleanFailure;
import io.worldring.model.fuzz.FuzzCorpus;
import io.worldring.model.fuzz.FuzzSeed;
import io.worldring.model.fuzz.Mutations.Mutant;
import io.worldring.model.fuzz.Mutations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Hugging Face {@code config.json} and {@code model.safetensors.index.json} mutated from valid ones: read, or
 * refused naming the file (and the line, for broken JSON).
 */
class HfConfigFuzzTest {
  static final ModelConfig CONFIG = new ModelConfig(8, 1, 2, 1, 16, 12, 1e-5, 10_000, 32, false);
  static final String SHARD = "model-00001-of-00001.safetensors";
  private static Path dir;
  private static String validConfig;
  private static String validIndex;

  @BeforeContainer
  static void seed() throws IOException {
    dir = Files.createTempDirectory("hf-config-fuzz");
    Path model = modelDirectory(dir.resolve("model"));
    validConfig = Files.readString(model.resolve("config.json"));
    validIndex = Files.readString(model.resolve("model.safetensors.index.json"));
  }

  /** A valid Hugging Face model directory at {@code model}: config.json, one shard and its index. */
  static Path modelDirectory(Path model) throws IOException {
    Files.createDirectories(model);
    Files.writeString(model.resolve("config.json"), HfConfig.toJson(CONFIG).toPrettyString());
    Parameters hf = Checkpoint.toHf(CONFIG, ParameterLayout.initialize(CONFIG, 1, DataType.FLOAT));
    Safetensors.write(model.resolve(SHARD), hf, Map.of("format", "pt"));
    StringBuilder index = new StringBuilder("{\"metadata\": {\"total_size\": 1000},\n \"weight_map\": {");
    for (String name : hf.names()) {
      index.append(index.charAt(index.length() - 1) == '{' ? "" : ",").append("\n  \"").append(name).append("\": \"").append(SHARD).append('"');
    }
    Files.writeString(model.resolve("model.safetensors.index.json"), index.append("\n }\n}\n"));
    HfImporter.read(model); // valid
    return model;
  }

  @AfterContainer
  static void clean() throws IOException {
    Checkpoint.deleteRecursively(dir);
  }

  @Property(tries = 500, seed = FuzzSeed.VALUE)
  void mutatedConfigsAreReadOrRefusedNamingTheFileAndLine(@ForAll("configs") Mutant m) throws IOException {
    Path f = Files.write(dir.resolve("config.json"), m.bytes());
    BadInputException e = CleanFailure.check(BadInputException.class, f.toString(), (16L << 20) + 64L * m.bytes().length, () -> HfConfig.read(f));
    if (e != null && e.getMessage().contains("not valid")) {
      assertTrue(e.getMessage().matches("(?s).*(line \\d+, column \\d+|at byte \\d+).*"), "names the position: " + e.getMessage());
    }
    if (e != null) {
      FuzzCorpus.keep("hf-config", Integer.toHexString(Arrays.hashCode(m.bytes())) + ".json", m);
    }
  }

  @Provide
  Arbitrary<Mutant> configs() {
    return Mutations.json(validConfig, "\"LlamaForCausalLM\"", "\"llama\"", "\"gelu\"", "[\"LlamaForCausalLM\"]", "{\"type\": \"linear\"}",
        "65536", "3", "7");
  }

  @Property(tries = 200, seed = FuzzSeed.VALUE)
  void mutatedShardIndexesAreReadOrRefusedNamingTheDirectory(@ForAll("indexes") Mutant m) throws IOException {
    Path model = dir.resolve("model");
    Files.write(model.resolve("model.safetensors.index.json"), m.bytes());
    if (CleanFailure.check(BadInputException.class, model.toString(), (32L << 20) + 64L * m.bytes().length, () -> HfImporter.read(model)) != null) {
      FuzzCorpus.keep("hf-index", Integer.toHexString(Arrays.hashCode(m.bytes())) + ".json", m);
    }
  }

  @Provide
  Arbitrary<Mutant> indexes() {
    return Mutations.json(validIndex, "\"config.json\"", "\"../" + SHARD + "\"", "\"/weights.safetensors\"", "\"" + SHARD + "\\u0000\"",
        "\"missing.safetensors\"", "\".\"");
  }
}

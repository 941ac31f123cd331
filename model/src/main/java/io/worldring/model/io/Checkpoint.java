package io.worldring.model.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.BadInputException;
import io.worldring.model.ModelConfig;
import io.worldring.model.ParameterLayout;
import io.worldring.model.ParameterNames;
import io.worldring.model.Parameters;
import io.worldring.model.train.AdamW;
import io.worldring.model.train.OptimizerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A checkpoint directory, which is also a Hugging Face model directory:
 * <pre>
 *   config.json            HF LlamaConfig
 *   model.safetensors      weights, HF names and HF q/k row layout
 *   optimizer.safetensors  AdamW moments "NAME.exp_avg", "NAME.exp_avg_sq" (training checkpoints only)
 *   worldring.json         manifest: model config, step, training state, size and SHA-256 of every file
 * </pre>
 * Saving writes a hidden sibling directory and renames it into place, with the manifest written last,
 * so a crash never leaves a half-written checkpoint under the final name. Loading checks every file's
 * size and digest against the manifest before parsing anything, so a truncated or corrupted file is
 * named in the error and nothing is half-loaded.
 */
public final class Checkpoint {
  public static final String FORMAT = "worldring-checkpoint/1";
  public static final String MANIFEST = "worldring.json";
  public static final String WEIGHTS = "model.safetensors";
  public static final String OPTIMIZER = "optimizer.safetensors";
  public static final String HF_CONFIG = "config.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Checkpoint() {}

  /** A loaded checkpoint: weights in the internal layout, optional optimizer moments, the training state. */
  public record Loaded(Path dir, ModelConfig config, Parameters weights, Parameters firstMoment, Parameters secondMoment,
      long step, long optimizerStep, JsonNode trainingState) {
    public boolean hasOptimizer() {
      return firstMoment != null;
    }

    /** An AdamW continuing from the saved moments, or a fresh one if the checkpoint has none. */
    public AdamW optimizer(OptimizerConfig config) {
      return hasOptimizer() ? new AdamW(config, firstMoment, secondMoment, optimizerStep) : new AdamW(config, weights);
    }
  }

  /**
   * Writes a checkpoint to {@code dir} (replacing one that is there).
   *
   * @param optimizer null for a weights-only checkpoint (an import, an export)
   * @param trainingState opaque JSON the trainer needs to resume (data position, RNG state, ...)
   */
  public static void save(Path dir, ModelConfig config, Parameters weights, AdamW optimizer, long step, JsonNode trainingState) {
    ParameterLayout.validate(config, weights, "checkpoint weights");
    Path parent = dir.toAbsolutePath().getParent();
    Path partial = parent.resolve("." + dir.getFileName() + ".partial");
    try {
      Files.createDirectories(parent);
      deleteRecursively(partial);
      Files.createDirectories(partial);
      HfConfig.write(partial.resolve(HF_CONFIG), config);
      Safetensors.write(partial.resolve(WEIGHTS), toHf(config, weights), Map.of("format", "pt", "producer", "worldring"));
      if (optimizer != null) {
        Parameters moments = new Parameters();
        Parameters m = toHf(config, optimizer.firstMoment());
        Parameters v = toHf(config, optimizer.secondMoment());
        for (String name : m.names()) {
          moments.put(name + ".exp_avg", m.get(name));
          moments.put(name + ".exp_avg_sq", v.get(name));
        }
        Safetensors.write(partial.resolve(OPTIMIZER), moments, Map.of("producer", "worldring", "optimizer", "adamw"));
      }
      ObjectNode manifest = JSON.createObjectNode();
      manifest.put("format", FORMAT);
      manifest.set("model", JSON.valueToTree(config));
      manifest.put("step", step);
      manifest.put("optimizer_step", optimizer == null ? 0 : optimizer.step());
      manifest.set("training_state", trainingState == null ? JsonNodeFactory.instance.objectNode() : trainingState);
      ObjectNode files = manifest.putObject("files");
      for (String f : optimizer == null ? new String[] {HF_CONFIG, WEIGHTS} : new String[] {HF_CONFIG, WEIGHTS, OPTIMIZER}) {
        Path p = partial.resolve(f);
        files.putObject(f).put("bytes", Files.size(p)).put("sha256", sha256(p));
      }
      Files.writeString(partial.resolve(MANIFEST), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n");
      replace(partial, dir);
    } catch (IOException e) {
      throw new BadInputException(dir + ": cannot write checkpoint (" + e.getMessage() + ")", e);
    }
  }

  /** What a checkpoint's manifest says, read without loading or verifying the tensors. */
  public record Manifest(ModelConfig config, long step, JsonNode trainingState) {}

  public static Manifest readManifest(Path dir) {
    JsonNode manifest = manifest(dir);
    return new Manifest(modelConfig(dir.resolve(MANIFEST), manifest), manifest.path("step").asLong(), manifest.path("training_state"));
  }

  /** Loads and verifies a checkpoint directory, converting weights to {@code type}. */
  public static Loaded load(Path dir, DataType type) {
    JsonNode manifest = manifest(dir);
    JsonNode files = manifest.path("files");
    if (!files.has(WEIGHTS)) {
      throw new BadInputException(dir.resolve(MANIFEST) + ": lists no " + WEIGHTS);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      verify(dir.resolve(f.getKey()), f.getValue());
    }
    ModelConfig config = modelConfig(dir.resolve(MANIFEST), manifest);
    Parameters weights = fromHf(config, Safetensors.read(dir.resolve(WEIGHTS), type));
    ParameterLayout.validate(config, weights, dir.resolve(WEIGHTS).toString());
    Parameters m = null;
    Parameters v = null;
    if (files.has(OPTIMIZER)) {
      Parameters moments = Safetensors.read(dir.resolve(OPTIMIZER), type);
      m = new Parameters();
      v = new Parameters();
      for (String name : weights.names()) {
        if (!moments.contains(name + ".exp_avg") || !moments.contains(name + ".exp_avg_sq")) {
          throw new BadInputException(dir.resolve(OPTIMIZER) + ": missing moments of " + name);
        }
        m.put(name, moments.get(name + ".exp_avg"));
        v.put(name, moments.get(name + ".exp_avg_sq"));
      }
      m = fromHf(config, m);
      v = fromHf(config, v);
      weights.requireSameLayout(m, dir.resolve(OPTIMIZER).toString());
    }
    return new Loaded(dir, config, weights, m, v, manifest.path("step").asLong(), manifest.path("optimizer_step").asLong(),
        manifest.path("training_state"));
  }

  private static JsonNode manifest(Path dir) {
    Path manifestFile = dir.resolve(MANIFEST);
    if (!Files.isDirectory(dir)) {
      throw new BadInputException(dir + ": no such checkpoint directory");
    }
    if (!Files.isRegularFile(manifestFile)) {
      throw new BadInputException(manifestFile + ": missing; " + dir + " is not a complete worldring checkpoint"
          + " (use `worldring import --format hf` for a Hugging Face model directory)");
    }
    JsonNode manifest;
    try {
      manifest = JSON.readTree(Files.readString(manifestFile));
    } catch (JsonProcessingException e) {
      throw new BadInputException(manifestFile + ": not valid JSON at line " + e.getLocation().getLineNr() + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadInputException(manifestFile + ": cannot read (" + e.getMessage() + ")", e);
    }
    if (manifest == null || !FORMAT.equals(manifest.path("format").asText())) {
      throw new BadInputException(manifestFile + ": format is '" + (manifest == null ? null : manifest.path("format").asText())
          + "', expected '" + FORMAT + "'");
    }
    return manifest;
  }

  private static ModelConfig modelConfig(Path manifestFile, JsonNode manifest) {
    try {
      return JSON.treeToValue(manifest.get("model"), ModelConfig.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new BadInputException(manifestFile + ": invalid model config: " + e.getMessage());
    }
  }

  public static boolean isCheckpoint(Path dir) {
    return Files.isRegularFile(dir.resolve(MANIFEST));
  }

  /**
   * A checkpoint directory itself, or for a run directory its latest complete checkpoint (the highest
   * {@code checkpoints/step-N}).
   */
  public static Path resolve(Path dirOrRun) {
    if (isCheckpoint(dirOrRun)) {
      return dirOrRun;
    }
    Path latest = latestIn(dirOrRun.resolve("checkpoints"));
    if (latest == null) {
      throw new BadInputException(dirOrRun + ": neither a checkpoint (no " + MANIFEST + ") nor a run directory with checkpoints");
    }
    return latest;
  }

  /** The highest-step complete checkpoint under {@code checkpointsDir}, or null. */
  public static Path latestIn(Path checkpointsDir) {
    if (!Files.isDirectory(checkpointsDir)) {
      return null;
    }
    try (Stream<Path> s = Files.list(checkpointsDir)) {
      return s.filter(p -> p.getFileName().toString().matches("step-\\d+") && isCheckpoint(p))
          .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(5))))
          .orElse(null);
    } catch (IOException e) {
      throw new BadInputException(checkpointsDir + ": cannot list (" + e.getMessage() + ")", e);
    }
  }

  public static String stepDirName(long step) {
    return String.format("step-%08d", step);
  }

  private static void verify(Path file, JsonNode expected) {
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(file + ": missing from the checkpoint");
    }
    try {
      long size = Files.size(file);
      long want = expected.path("bytes").asLong(-1);
      if (size != want) {
        throw new BadInputException(file + ": " + (size < want ? "truncated" : "corrupted") + ": " + size + " bytes, the manifest says " + want);
      }
      String digest = sha256(file);
      if (!digest.equals(expected.path("sha256").asText())) {
        throw new BadInputException(file + ": corrupted: SHA-256 " + digest + " does not match the manifest's " + expected.path("sha256").asText());
      }
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** q/k projections to HF row order; everything else as it is. */
  static Parameters toHf(ModelConfig c, Parameters p) {
    return permuteQk(c, p, true);
  }

  static Parameters fromHf(ModelConfig c, Parameters p) {
    return permuteQk(c, p, false);
  }

  private static Parameters permuteQk(ModelConfig c, Parameters p, boolean toHf) {
    Parameters out = new Parameters();
    for (Map.Entry<String, INDArray> e : p.asMap().entrySet()) {
      String name = e.getKey();
      INDArray t = e.getValue();
      int layer = layerOf(name);
      if (layer >= 0 && name.equals(ParameterNames.qProj(layer))) {
        t = toHf ? HfLayout.toHf(t, c.nHeads()) : HfLayout.fromHf(t, c.nHeads());
      } else if (layer >= 0 && name.equals(ParameterNames.kProj(layer))) {
        t = toHf ? HfLayout.toHf(t, c.nKvHeads()) : HfLayout.fromHf(t, c.nKvHeads());
      }
      out.put(name, t);
    }
    return out;
  }

  private static int layerOf(String name) {
    if (!name.startsWith("model.layers.")) {
      return -1;
    }
    int end = name.indexOf('.', "model.layers.".length());
    try {
      return Integer.parseInt(name.substring("model.layers.".length(), end));
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static void replace(Path partial, Path dir) throws IOException {
    Path old = dir.resolveSibling("." + dir.getFileName() + ".old");
    deleteRecursively(old);
    if (Files.exists(dir)) {
      Files.move(dir, old);
    }
    try {
      Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(partial, dir);
    }
    deleteRecursively(old);
  }

  static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}

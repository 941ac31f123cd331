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
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
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
 * Saving is crash-safe:
 * <ol>
 *   <li>every file is written into a hidden sibling directory {@code .NAME.partial} and fsynced;</li>
 *   <li>the manifest, with the size and SHA-256 of every other file, is written last and fsynced,
 *       then the directory itself is fsynced;</li>
 *   <li>renaming it to {@code NAME} is the commit point (the parent directory is fsynced after it).</li>
 * </ol>
 * So a crash leaves either the previous state or the complete new checkpoint under {@code NAME}; at worst
 * a hidden {@code .NAME.partial} or {@code .NAME.old}, which are not checkpoints and are cleared by the next
 * save. Replacing an existing {@code NAME} moves it to {@code .NAME.old} first (a directory cannot be renamed
 * over a non-empty one), so a crash between the two renames leaves no {@code NAME}; a run then resumes from
 * its previous step (see {@link #latestValidIn}).
 *
 * <p>Loading checks every file's size and digest against the manifest before parsing anything, so a truncated
 * or corrupted file (a bad disk, a copy cut short) is named in the error and nothing is half-loaded.
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
      fsync(partial.resolve(HF_CONFIG));
      Safetensors.write(partial.resolve(WEIGHTS), toHf(config, weights), Map.of("format", "pt", "producer", "worldring"));
      fsync(partial.resolve(WEIGHTS));
      if (optimizer != null) {
        Parameters moments = new Parameters();
        Parameters m = toHf(config, optimizer.firstMoment());
        Parameters v = toHf(config, optimizer.secondMoment());
        for (String name : m.names()) {
          moments.put(name + ".exp_avg", m.get(name));
          moments.put(name + ".exp_avg_sq", v.get(name));
        }
        Safetensors.write(partial.resolve(OPTIMIZER), moments, Map.of("producer", "worldring", "optimizer", "adamw"));
        fsync(partial.resolve(OPTIMIZER));
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
      // The manifest last: its presence with matching digests is what makes a directory a checkpoint.
      Files.writeString(partial.resolve(MANIFEST), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n");
      fsync(partial.resolve(MANIFEST));
      fsyncDirectory(partial);
      replace(partial, dir);
    } catch (IOException e) {
      throw new BadInputException(dir + ": cannot write checkpoint (" + e.getMessage() + ")", e);
    }
  }

  /** What a checkpoint's manifest says, read without loading or verifying the tensors. */
  public record Manifest(ModelConfig config, long step, JsonNode trainingState) {}

  public static Manifest readManifest(Path dir) {
    JsonNode manifest = manifest(dir);
    return new Manifest(modelConfig(dir.resolve(MANIFEST), manifest), step(dir.resolve(MANIFEST), manifest, "step"),
        manifest.path("training_state"));
  }

  /** Loads and verifies a checkpoint directory, converting weights to {@code type}. */
  public static Loaded load(Path dir, DataType type) {
    JsonNode manifest = manifest(dir);
    verifyFiles(dir, manifest);
    JsonNode files = manifest.path("files");
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
    return new Loaded(dir, config, weights, m, v, step(dir.resolve(MANIFEST), manifest, "step"),
        step(dir.resolve(MANIFEST), manifest, "optimizer_step"), manifest.path("training_state"));
  }

  /**
   * Checks that {@code dir} is a complete, intact checkpoint: the manifest parses and every file it lists has
   * the listed size and SHA-256. Reads every byte, but parses no tensors.
   *
   * @throws BadInputException naming the offending file and what is wrong with it (missing, truncated,
   *     corrupted, unparseable)
   */
  public static void verify(Path dir) {
    if (Files.isDirectory(dir) && !Files.exists(dir.resolve(MANIFEST))) {
      // A save that crashed before its manifest, or files copied in by hand.
      throw new BadInputException(dir.resolve(MANIFEST) + ": missing (incomplete checkpoint)");
    }
    JsonNode manifest = manifest(dir);
    modelConfig(dir.resolve(MANIFEST), manifest);
    step(dir.resolve(MANIFEST), manifest, "step");
    step(dir.resolve(MANIFEST), manifest, "optimizer_step");
    verifyFiles(dir, manifest);
  }

  private static void verifyFiles(Path dir, JsonNode manifest) {
    JsonNode files = manifest.path("files");
    if (!files.has(WEIGHTS)) {
      throw new BadInputException(dir.resolve(MANIFEST) + ": lists no " + WEIGHTS);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (!List.of(HF_CONFIG, WEIGHTS, OPTIMIZER).contains(f.getKey())) { // nor a path outside the checkpoint
        throw new BadInputException(dir.resolve(MANIFEST) + ": lists '" + f.getKey() + "', which is not a checkpoint file");
      }
      verifyFile(dir.resolve(f.getKey()), f.getValue());
    }
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
      manifest = JsonFiles.parse(JSON, Files.readAllBytes(manifestFile), manifestFile + ": corrupted");
    } catch (IOException e) {
      throw new BadInputException(manifestFile + ": cannot read (" + e.getMessage() + ")", e);
    }
    if (!FORMAT.equals(manifest.path("format").asText())) {
      throw new BadInputException(manifestFile + ": format is '" + manifest.path("format").asText() + "', expected '" + FORMAT + "'");
    }
    return manifest;
  }

  private static ModelConfig modelConfig(Path manifestFile, JsonNode manifest) {
    JsonNode model = manifest.get("model");
    if (model == null || !model.isObject()) {
      throw new BadInputException(manifestFile + ": \"model\" must be the model config (an object)");
    }
    try {
      return JSON.treeToValue(model, ModelConfig.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new BadInputException(manifestFile + ": invalid model config: " + e.getMessage());
    }
  }

  private static long step(Path manifestFile, JsonNode manifest, String key) {
    JsonNode v = manifest.get(key);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
      throw new BadInputException(manifestFile + ": \"" + key + "\" must be a non-negative integer, got " + v);
    }
    return v.asLong();
  }

  public static boolean isCheckpoint(Path dir) {
    return Files.isRegularFile(dir.resolve(MANIFEST));
  }

  /**
   * A checkpoint directory itself, or for a run directory its newest checkpoint that verifies (see
   * {@link #latestValidIn}); newer damaged ones are skipped with a warning on standard error.
   */
  public static Path resolve(Path dirOrRun) {
    if (isCheckpoint(dirOrRun)) {
      return dirOrRun;
    }
    int[] skipped = {0};
    Path latest = latestValidIn(dirOrRun.resolve("checkpoints"), message -> {
      skipped[0]++;
      System.err.println("warning: " + message);
    });
    if (latest == null && skipped[0] > 0) {
      throw new BadInputException(dirOrRun + ": none of its " + skipped[0] + " checkpoints is intact (see the warnings above)");
    }
    if (latest == null) {
      throw new BadInputException(dirOrRun + ": neither a checkpoint (no " + MANIFEST + ") nor a run directory with checkpoints");
    }
    return latest;
  }

  /**
   * The highest-step checkpoint under {@code checkpointsDir} that has a manifest, or null. Does not verify
   * it; to resume from, use {@link #latestValidIn}.
   */
  public static Path latestIn(Path checkpointsDir) {
    return stepDirs(checkpointsDir).stream().filter(Checkpoint::isCheckpoint).findFirst().orElse(null);
  }

  /**
   * The highest-step {@code step-N} directory under {@code checkpointsDir} that passes {@link #verify}, or null.
   * Each newer one that fails (no manifest, a truncated or corrupted file, ...) is passed to {@code report}
   * with the offending file and the reason, so resuming falls back to the previous checkpoint instead of
   * dying on a damaged one, and says so. Hidden {@code .step-N.partial} and {@code .step-N.old} directories
   * left by a crashed save are not checkpoints and are ignored.
   */
  public static Path latestValidIn(Path checkpointsDir, Consumer<String> report) {
    List<Path> candidates = stepDirs(checkpointsDir);
    for (int i = 0; i < candidates.size(); i++) {
      Path dir = candidates.get(i);
      try {
        verify(dir);
        return dir;
      } catch (BadInputException e) {
        // The message starts with the offending file, which is inside dir.
        report.accept(e.getMessage() + (i + 1 < candidates.size() ? "; using an earlier checkpoint" : "; no earlier checkpoint"));
      }
    }
    return null;
  }

  /** The {@code step-N} directories under {@code checkpointsDir}, highest N first; empty if there is none. */
  private static List<Path> stepDirs(Path checkpointsDir) {
    if (!Files.isDirectory(checkpointsDir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(checkpointsDir)) {
      // At most 18 digits, so the step fits a long; the name breaks ties (step-7 vs step-00000007) for a stable order.
      return s.filter(p -> p.getFileName().toString().matches("step-\\d{1,18}") && Files.isDirectory(p))
          .sorted(Comparator.<Path>comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(5)))
              .thenComparing(p -> p.getFileName().toString()).reversed())
          .toList();
    } catch (IOException e) {
      throw new BadInputException(checkpointsDir + ": cannot list (" + e.getMessage() + ")", e);
    }
  }

  public static String stepDirName(long step) {
    return String.format("step-%08d", step);
  }

  private static void verifyFile(Path file, JsonNode expected) {
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

  /** Renames the complete {@code partial} to {@code dir}: the commit point of a save. */
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
    // Make the rename itself durable before anyone (a pruner, the next save) relies on it.
    fsyncDirectory(dir.toAbsolutePath().getParent());
    deleteRecursively(old);
  }

  /** Forces a written file's data and metadata to the device. */
  private static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /**
   * Forces a directory's entries to the device, so a created or renamed name survives a power loss.
   * Best effort: some platforms and filesystems (Windows, some network mounts) refuse to open or sync a directory.
   */
  private static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // nothing more can be done there; the rename is still atomic
    }
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

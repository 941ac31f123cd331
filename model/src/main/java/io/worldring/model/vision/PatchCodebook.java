package io.worldring.model.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.BadInputException;
import io.worldring.model.NativeMemory;
import io.worldring.model.Parameters;
import io.worldring.model.SplitMix64;
import io.worldring.model.io.Safetensors;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A vision tokenizer this project trains itself on CPU: a frame is cut into a g x g grid of p x p patches,
 * each patch becomes the index of its nearest centroid, and decoding puts the centroids back. The
 * centroids are learnt by k-means on patches of training frames ({@link KMeans}).
 *
 * <p>Why k-means rather than a small VQ-VAE: it has no hyperparameters to tune beyond the codebook size,
 * trains in seconds on a few thousand frames, is deterministic for a seed on any machine, and its codes
 * are local (a code is one patch), which keeps the token layout easy to check. Its price is blockiness at
 * patch edges; a learnt decoder would blur them away, which the tiny presets do not need.
 *
 * <p>Patches are coded as they are, means included. Subtracting each patch's mean would let the centroids
 * spend their capacity on texture, but the mean would then have to travel beside the code, and a frame
 * is only its codes; so each centroid carries its patch's colour.
 *
 * <p>On disk, a directory: {@code tokenizer.json} (type {@code patch-kmeans}, the config and a training
 * summary) and {@code codebook.safetensors} (tensor {@code codebook}, [codebookSize, 3 p p], F32).
 */
public final class PatchCodebook implements FrameCodec {
  public static final String TYPE = "patch-kmeans";
  public static final String CODEBOOK_FILE = "codebook.safetensors";
  private static final String TENSOR = "codebook";

  /**
   * What training measured.
   *
   * @param patches training patches used (after subsampling)
   * @param iterations Lloyd iterations done
   * @param reseeded empty clusters moved during training
   * @param meanSquaredError per value, on the training patches, frames in [-1, 1]
   */
  public record TrainingSummary(int patches, int iterations, int reseeded, double meanSquaredError) {
    /** The training patches' reconstruction PSNR in dB (see {@link Psnr}). */
    public double psnr() {
      return Psnr.fromMeanSquaredError(meanSquaredError);
    }
  }

  private final PatchCodebookConfig config;
  private final NearestCode codebook; // [codebookSize, patchDim]
  private final TrainingSummary training;

  /** @param codebook [codebookSize, 3 p p], copied */
  public PatchCodebook(PatchCodebookConfig config, INDArray codebook, TrainingSummary training) {
    if (codebook.rank() != 2 || codebook.size(0) != config.codebookSize() || codebook.size(1) != config.patchDim()) {
      throw new IllegalArgumentException("codebook must be [" + config.codebookSize() + ", " + config.patchDim() + "], got "
          + Arrays.toString(codebook.shape()));
    }
    this.config = config;
    this.codebook = new NearestCode(codebook);
    this.training = training;
  }

  /**
   * Learns the codebook from {@code frames} ([n, 3, S, S] in [-1, 1]). Needs at least codebookSize
   * patches; beyond maxTrainingPatches a seeded subset is used.
   */
  public static PatchCodebook train(PatchCodebookConfig config, INDArray frames) {
    Frames.requireBatch(frames, config.patchSize());
    if (frames.size(2) != config.frameSize() || frames.size(3) != config.frameSize()) {
      throw new IllegalArgumentException("training frames must be " + config.frameSize() + "x" + config.frameSize() + ", got "
          + Arrays.toString(frames.shape()));
    }
    INDArray patches = Patches.split(frames.castTo(DataType.FLOAT), config.patchSize()); // [n g g, 3 p p]
    long available = patches.size(0);
    if (available < config.codebookSize()) {
      throw new BadInputException("training: " + frames.size(0) + " frames give " + available + " patches, fewer than the "
          + config.codebookSize() + " codes to learn; give more frames or a smaller codebook");
    }
    INDArray used = patches; // [patches used, 3 p p]
    if (available > config.maxTrainingPatches()) {
      int[] order = new SplitMix64(config.seed() ^ 0x5EEDL).permutation((int) available);
      int[] chosen = Arrays.copyOf(order, config.maxTrainingPatches());
      Arrays.sort(chosen);
      used = patches.getRows(chosen); // [maxTrainingPatches, 3 p p]
      NativeMemory.release(patches);
    }
    KMeans.Result fit = KMeans.fit(used, config.codebookSize(), config.iterations(), config.seed());
    TrainingSummary summary = new TrainingSummary((int) used.size(0), fit.iterations(), fit.reseeded(), fit.meanSquaredError());
    NativeMemory.release(used);
    return new PatchCodebook(config, fit.centroids(), summary);
  }

  /** As {@link #train(PatchCodebookConfig, INDArray)}, from frames [3, S, S] each. */
  public static PatchCodebook train(PatchCodebookConfig config, List<INDArray> frames) {
    INDArray batch = Nd4j.stack(0, frames.toArray(new INDArray[0])); // [n, 3, S, S]
    PatchCodebook trained = train(config, batch);
    NativeMemory.release(batch);
    return trained;
  }

  public PatchCodebookConfig config() {
    return config;
  }

  /** The centroids, [codebookSize, 3 p p], a copy. */
  public INDArray centroids() {
    int[] all = new int[config.codebookSize()];
    Arrays.setAll(all, i -> i);
    return codebook.lookup(all);
  }

  public TrainingSummary training() {
    return training;
  }

  @Override
  public int frameSize() {
    return config.frameSize();
  }

  @Override
  public int gridSize() {
    return config.gridSize();
  }

  @Override
  public int codebookSize() {
    return config.codebookSize();
  }

  @Override
  public int[][] encodeAll(INDArray frames) {
    if (frames.rank() != 4 || frames.size(1) != 3 || frames.size(2) != frameSize() || frames.size(3) != frameSize()) {
      throw new IllegalArgumentException("frames must be [n, 3, " + frameSize() + ", " + frameSize() + "], got " + Arrays.toString(frames.shape()));
    }
    INDArray patches = Patches.split(frames, config.patchSize()); // [n g g, 3 p p]
    int[] flat = codebook.nearest(patches);
    NativeMemory.release(patches);
    int[][] out = new int[(int) frames.size(0)][];
    for (int i = 0; i < out.length; i++) {
      out[i] = Arrays.copyOfRange(flat, i * codesPerFrame(), (i + 1) * codesPerFrame());
    }
    return out;
  }

  @Override
  public INDArray decodeAll(int[][] codes) {
    int[] flat = new int[codes.length * codesPerFrame()];
    for (int i = 0; i < codes.length; i++) {
      Frames.requireCodes(codes[i], codesPerFrame(), codebookSize());
      System.arraycopy(codes[i], 0, flat, i * codesPerFrame(), codesPerFrame());
    }
    INDArray patches = codebook.lookup(flat); // [n g g, 3 p p]
    INDArray frames = Patches.join(patches, gridSize(), config.patchSize()); // [n, 3, S, S]
    NativeMemory.release(patches);
    return frames;
  }

  /** Writes {@code tokenizer.json} and {@code codebook.safetensors} into {@code dir} (created if needed). */
  public void save(Path dir) {
    ObjectNode root = CodecManifest.create(TYPE);
    root.put("frame-size", config.frameSize());
    root.put("codes-per-frame", config.codesPerFrame());
    root.put("codebook-size", config.codebookSize());
    root.put("iterations", config.iterations());
    root.put("seed", config.seed());
    root.put("max-training-patches", config.maxTrainingPatches());
    ObjectNode t = root.putObject("training");
    t.put("patches", training.patches());
    t.put("iterations", training.iterations());
    t.put("reseeded", training.reseeded());
    t.put("mean-squared-error", training.meanSquaredError());
    CodecManifest.write(dir, root); // creates dir
    Safetensors.write(dir.resolve(CODEBOOK_FILE), new Parameters().put(TENSOR, centroids()), Map.of("format", "worldring-patch-codebook"));
  }

  /** Reads a directory written by {@link #save}; anything missing or malformed is named. */
  public static PatchCodebook load(Path dir) {
    CodecManifest m = CodecManifest.read(dir);
    if (!m.type().equals(TYPE)) {
      throw new BadInputException(m.file() + ": type is '" + m.type() + "', not '" + TYPE + "'");
    }
    JsonNode root = m.root();
    m.requireKeys(root, "", Set.of("format", "type", "frame-size", "codes-per-frame", "codebook-size", "iterations", "seed",
        "max-training-patches", "training"));
    PatchCodebookConfig config;
    try {
      config = new PatchCodebookConfig(m.integer(root, "frame-size"), m.integer(root, "codes-per-frame"), m.integer(root, "codebook-size"),
          m.integer(root, "iterations"), m.longInteger(root, "seed"), m.integer(root, "max-training-patches"));
    } catch (IllegalArgumentException e) {
      throw new BadInputException(m.file() + ": " + e.getMessage(), e);
    }
    JsonNode t = m.object(root, "training");
    m.requireKeys(t, "training.", Set.of("patches", "iterations", "reseeded", "mean-squared-error"));
    TrainingSummary summary = new TrainingSummary(m.integer(t, "patches"), m.integer(t, "iterations"), m.integer(t, "reseeded"),
        m.number(t, "mean-squared-error"));
    Path file = dir.resolve(CODEBOOK_FILE);
    Parameters tensors = Safetensors.read(file, DataType.FLOAT);
    if (!tensors.names().equals(Set.of(TENSOR))) {
      throw new BadInputException(file + ": expected exactly one tensor '" + TENSOR + "', found " + tensors.names());
    }
    INDArray centroids = tensors.get(TENSOR); // [codebookSize, 3 p p]
    long[] expected = {config.codebookSize(), config.patchDim()};
    if (!Arrays.equals(centroids.shape(), expected)) {
      throw new BadInputException(file + ": tensor " + TENSOR + " has shape " + Arrays.toString(centroids.shape()) + ", but "
          + CodecManifest.FILE + " needs " + Arrays.toString(expected));
    }
    return new PatchCodebook(config, centroids, summary);
  }
}

package io.worldring.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The tensors a {@link ModelConfig} has, by name and shape, and their initialisation. */
public final class ParameterLayout {
  /** Seed offset of the vision tables' random stream. */
  private static final long VISION_STREAM = 0x5649_5349_4f4eL; // "VISION"
  /** Seed offset of {@link #resetAttentionScores}' random stream. */
  private static final long ATTENTION_STREAM = 0x5143_4b52_5354L; // "QCKRST"

  private ParameterLayout() {}

  /** Name to shape, in checkpoint order. */
  public static Map<String, long[]> shapes(ModelConfig c) {
    Map<String, long[]> s = new LinkedHashMap<>();
    s.put(ParameterNames.EMBED_TOKENS, new long[] {c.vocabSize(), c.dim()});
    for (int l = 0; l < c.nLayers(); l++) {
      s.put(ParameterNames.inputNorm(l), new long[] {c.dim()});
      s.put(ParameterNames.qProj(l), new long[] {c.dim(), c.dim()});
      s.put(ParameterNames.kProj(l), new long[] {c.kvDim(), c.dim()});
      s.put(ParameterNames.vProj(l), new long[] {c.kvDim(), c.dim()});
      s.put(ParameterNames.oProj(l), new long[] {c.dim(), c.dim()});
      s.put(ParameterNames.postAttentionNorm(l), new long[] {c.dim()});
      s.put(ParameterNames.gateProj(l), new long[] {c.hiddenDim(), c.dim()});
      s.put(ParameterNames.upProj(l), new long[] {c.hiddenDim(), c.dim()});
      s.put(ParameterNames.downProj(l), new long[] {c.dim(), c.hiddenDim()});
    }
    s.put(ParameterNames.FINAL_NORM, new long[] {c.dim()});
    if (!c.tiedEmbeddings()) {
      s.put(ParameterNames.LM_HEAD, new long[] {c.vocabSize(), c.dim()});
    }
    s.putAll(visionShapes(c));
    return s;
  }

  /** How many tensors {@link #shapes} lists for {@code c}, without listing them. */
  static long tensorCount(ModelConfig c) {
    return 2 + 9L * c.nLayers() + (c.tiedEmbeddings() ? 0 : 1) + (c.hasVision() ? 2 : 0);
  }

  /** The vision tables' names and shapes (empty for a text-only model), last in checkpoint order. */
  public static Map<String, long[]> visionShapes(ModelConfig c) {
    Map<String, long[]> s = new LinkedHashMap<>();
    if (c.hasVision()) {
      s.put(ParameterNames.VISION_EMBED_TOKENS, new long[] {c.visionVocabSize(), c.dim()});
      s.put(ParameterNames.VISION_HEAD, new long[] {c.visionVocabSize(), c.dim()});
    }
    return s;
  }

  /**
   * Fresh weights, deterministic in {@code seed}: norms at 1, matrices N(0, 0.02), and the two
   * projections that write into the residual stream (o_proj, down_proj) scaled by 1/sqrt(2 n_layers)
   * as GPT-2 does, so the residual's variance does not grow with depth. The vision tables, N(0, 0.02) as
   * LWM initialises them, draw from a stream of their own, so a vision model's text weights equal the
   * text model's of the same seed, and {@link #addVisionTables} gives a text checkpoint the very tables a
   * fresh vision model of that seed has.
   */
  public static Parameters initialize(ModelConfig c, long seed, DataType type) {
    SplitMix64 rng = new SplitMix64(seed);
    Parameters p = new Parameters();
    double residualStd = 0.02 / Math.sqrt(2.0 * c.nLayers());
    Map<String, long[]> vision = visionShapes(c);
    for (Map.Entry<String, long[]> e : shapes(c).entrySet()) {
      String name = e.getKey();
      long[] shape = e.getValue();
      if (vision.containsKey(name)) {
        continue;
      }
      if (shape.length == 1) {
        p.put(name, Nd4j.ones(type, shape));
        continue;
      }
      double std = name.endsWith("o_proj.weight") || name.endsWith("down_proj.weight") ? residualStd : 0.02;
      p.put(name, gaussian(rng, shape, std, type));
    }
    putVisionTables(c, seed, type, p);
    return p;
  }

  /**
   * A text model's weights extended with fresh vision tables for {@code visionConfig} (LWM's stage II
   * starts from its text checkpoint): the same tensors as {@link #initialize} of that config and seed
   * would give. {@code text} itself is not changed; the returned set shares its text tensors. For a resumed
   * optimizer, extend its moments with zeros the same way (AdamW moments of new tensors start at 0).
   */
  public static Parameters addVisionTables(ModelConfig visionConfig, Parameters text, long seed) {
    if (!visionConfig.hasVision()) {
      throw new BadInputException("model config: vision-vocab-size is 0, there are no vision tables to add");
    }
    Parameters p = new Parameters();
    text.asMap().forEach((name, t) -> {
      if (name.equals(ParameterNames.VISION_EMBED_TOKENS) || name.equals(ParameterNames.VISION_HEAD)) {
        throw new BadInputException("the weights already have vision tables (" + name + ")");
      }
      p.put(name, t);
    });
    putVisionTables(visionConfig, seed, text.dataType(), p);
    validate(visionConfig, p, "text weights with vision tables");
    return p;
  }

  /**
   * {@code weights} with every layer's query and key projections drawn afresh, N(0, 0.02) as
   * {@link #initialize} draws them, from a stream of {@code seed} of their own; every other tensor is
   * shared unchanged. A trained text model's attention is tuned to text, and a token kind it never saw
   * (vision codes) can go unread (the mechanism is not established): on the {@code small}
   * model, long-video QA from a text checkpoint stayed at chance in six runs; runs with fresh query and key
   * projections learned it, the {@code vision-small} curriculum among them (docs/vision-small.md, which
   * also gives the runs with fresh projections that did not). Values, outputs, MLPs, norms and embeddings
   * keep what the text stage learned.
   */
  public static Parameters resetAttentionScores(ModelConfig c, Parameters weights, long seed) {
    SplitMix64 rng = new SplitMix64(seed ^ ATTENTION_STREAM);
    Parameters p = new Parameters();
    weights.asMap().forEach(p::put);
    for (int l = 0; l < c.nLayers(); l++) {
      for (String name : new String[] {ParameterNames.qProj(l), ParameterNames.kProj(l)}) {
        INDArray old = weights.get(name);
        if (old == null) {
          throw new BadInputException("the weights have no " + name + " to reset");
        }
        p.put(name, gaussian(rng, old.shape(), 0.02, old.dataType()));
      }
    }
    return p;
  }

  private static void putVisionTables(ModelConfig c, long seed, DataType type, Parameters p) {
    SplitMix64 rng = new SplitMix64(seed ^ VISION_STREAM);
    for (Map.Entry<String, long[]> e : visionShapes(c).entrySet()) {
      p.put(e.getKey(), gaussian(rng, e.getValue(), 0.02, type));
    }
  }

  private static INDArray gaussian(SplitMix64 rng, long[] shape, double std, DataType type) {
    int n = Math.toIntExact(shape[0] * shape[1]);
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = rng.nextGaussian() * std;
    }
    return Nd4j.create(values, shape, DataType.DOUBLE).castTo(type);
  }

  /** Checks that {@code params} has exactly the tensors {@code config} needs. */
  public static void validate(ModelConfig config, Parameters params, String source) {
    // Counted before the names are listed: a config from a damaged file may claim billions of layers.
    long needed = tensorCount(config);
    if (needed > params.size()) {
      throw new BadInputException(source + ": the config (" + config.nLayers() + " layers) needs " + needed + " tensors, "
          + params.size() + " are present");
    }
    Map<String, long[]> want = shapes(config);
    for (Map.Entry<String, long[]> e : want.entrySet()) {
      if (!params.contains(e.getKey())) {
        throw new BadInputException(source + ": missing tensor " + e.getKey());
      }
      long[] got = params.get(e.getKey()).shape();
      if (!java.util.Arrays.equals(got, e.getValue())) {
        throw new BadInputException(source + ": tensor " + e.getKey() + " has shape " + java.util.Arrays.toString(got)
            + ", the config needs " + java.util.Arrays.toString(e.getValue()));
      }
    }
    for (String name : params.names()) {
      if (!want.containsKey(name)) {
        throw new BadInputException(source + ": unexpected tensor " + name + " for this config");
      }
    }
  }
}

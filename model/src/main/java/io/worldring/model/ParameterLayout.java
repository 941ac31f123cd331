package io.worldring.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** The tensors a {@link ModelConfig} has, by name and shape, and their initialisation. */
public final class ParameterLayout {
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
    return s;
  }

  /**
   * Fresh weights, deterministic in {@code seed}: norms at 1, matrices N(0, 0.02), and the two
   * projections that write into the residual stream (o_proj, down_proj) scaled by 1/sqrt(2 n_layers)
   * as GPT-2 does, so the residual's variance does not grow with depth.
   */
  public static Parameters initialize(ModelConfig c, long seed, DataType type) {
    SplitMix64 rng = new SplitMix64(seed);
    Parameters p = new Parameters();
    double residualStd = 0.02 / Math.sqrt(2.0 * c.nLayers());
    for (Map.Entry<String, long[]> e : shapes(c).entrySet()) {
      String name = e.getKey();
      long[] shape = e.getValue();
      if (shape.length == 1) {
        p.put(name, Nd4j.ones(type, shape));
        continue;
      }
      double std = name.endsWith("o_proj.weight") || name.endsWith("down_proj.weight") ? residualStd : 0.02;
      int n = Math.toIntExact(shape[0] * shape[1]);
      double[] values = new double[n];
      for (int i = 0; i < n; i++) {
        values[i] = rng.nextGaussian() * std;
      }
      p.put(name, Nd4j.create(values, shape, DataType.DOUBLE).castTo(type));
    }
    return p;
  }

  /** Checks that {@code params} has exactly the tensors {@code config} needs. */
  public static void validate(ModelConfig config, Parameters params, String source) {
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

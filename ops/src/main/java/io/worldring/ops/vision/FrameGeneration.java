package io.worldring.ops.vision;

import io.worldring.datasets.vision.VisionExample;
import io.worldring.datasets.vision.VisionVocabulary;
import io.worldring.model.LlamaModel;
import io.worldring.model.Modality;
import io.worldring.model.NativeMemory;
import io.worldring.model.generate.Generator;
import io.worldring.model.generate.Sampler;
import io.worldring.model.generate.SamplingOptions;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Text-to-vision generation as LWM's {@code generate_vision} does it: after the prompt
 * ({@code <s> caption <vision>}), vision codes are sampled position by position from the vision head through
 * a KV cache; the position after each frame's last code is forced to {@code <eof>}, or {@code <eov>} after
 * the last frame. With guidance, a second KV-cached stream runs on the unconditional prompt
 * ({@code <s><vision>}), fed the same sampled tokens, and the codes are sampled from
 * {@code cond + (s - 1) (cond - uncond)}, which is LWM's {@code uncond + s (cond - uncond)} written so that
 * {@code s = 1} gives the conditional logits exactly. Code positions may not sample {@code <eof>} or
 * {@code <eov>} (LWM leaves them to chance; a frame of fewer codes could not be decoded).
 */
public final class FrameGeneration {
  /**
   * @param frames frames to generate
   * @param guided whether to run the unconditional stream (classifier-free guidance)
   * @param cfgScale the guidance scale s (used when guided; 1 = the conditional logits)
   * @param sampling temperature (0 = greedy), top-p and seed
   * @param topK sample among the k most likely codes (0 = all); ties with the k-th are kept, as in HF's top-k
   */
  public record Settings(int frames, boolean guided, double cfgScale, SamplingOptions sampling, int topK) {
    public Settings {
      if (frames < 1) {
        throw new IllegalArgumentException("frames must be positive, got " + frames);
      }
      if (topK < 0) {
        throw new IllegalArgumentException("top-k must be >= 0 (0 = all codes), got " + topK);
      }
      if (guided && !Double.isFinite(cfgScale)) {
        throw new IllegalArgumentException("the guidance scale must be finite, got " + cfgScale);
      }
    }
  }

  /**
   * @param tokens [frames * (codesPerFrame + 1)], the generated vision ids, frame ends included
   * @param codes [frames, codesPerFrame], what the vision tokenizer decodes
   * @param nanos time spent generating (both streams), prompt included
   */
  public record Result(int[] tokens, int[][] codes, long nanos) {
    public double tokensPerSecond() {
      return tokens.length / (nanos / 1e9);
    }
  }

  private final LlamaModel model;
  private final VisionVocabulary vocabulary;
  private final int codesPerFrame;

  public FrameGeneration(LlamaModel model, VisionVocabulary vocabulary, int codesPerFrame) {
    if (model.config().visionVocabSize() != vocabulary.size()) {
      throw new IllegalArgumentException("the model's vision vocabulary is " + model.config().visionVocabSize() + ", the tokenizer's "
          + vocabulary.size());
    }
    this.model = model;
    this.vocabulary = vocabulary;
    this.codesPerFrame = codesPerFrame;
  }

  /** Vision ids one run of {@code frames} frames generates. */
  public int tokensFor(int frames) {
    return frames * (codesPerFrame + 1);
  }

  public Result generate(VisionExample prompt, VisionExample unconditional, Settings settings) {
    long started = System.nanoTime();
    int total = tokensFor(settings.frames());
    Stream cond = new Stream(model, prompt, total);
    Stream uncond = settings.guided() ? new Stream(model, unconditional, total) : null;
    Sampler sampler = new Sampler(settings.sampling());
    int[] tokens = new int[total];
    int[][] codes = new int[settings.frames()][codesPerFrame];
    int n = 0;
    for (int f = 0; f < settings.frames(); f++) {
      for (int c = 0; c < codesPerFrame; c++) {
        double[] z = settings.guided() ? guide(cond.logits, uncond.logits, settings.cfgScale()) : cond.logits.clone();
        z[vocabulary.eof()] = Double.NEGATIVE_INFINITY;
        z[vocabulary.eov()] = Double.NEGATIVE_INFINITY;
        keepTopK(z, settings.topK());
        INDArray row = Nd4j.createFromArray(z); // [visionVocab]
        int code = sampler.next(row);
        NativeMemory.release(row);
        codes[f][c] = code;
        tokens[n++] = code;
        if (c < codesPerFrame - 1) {
          cond.feed(code);
          if (uncond != null) {
            uncond.feed(code);
          }
        }
      }
      boolean last = f == settings.frames() - 1;
      int end = last ? vocabulary.eov() : vocabulary.eof();
      tokens[n++] = end;
      if (!last) {
        // The frame's last code and its forced end in one chunk: the logits after the code are not needed.
        cond.feed(codes[f][codesPerFrame - 1], end);
        if (uncond != null) {
          uncond.feed(codes[f][codesPerFrame - 1], end);
        }
      }
    }
    return new Result(tokens, codes, System.nanoTime() - started);
  }

  /**
   * Classifier-free guidance, {@code cond + (scale - 1) (cond - uncond)} per entry: LWM's
   * {@code uncond + scale (cond - uncond)}, equal to {@code cond} bit for bit at scale 1.
   */
  static double[] guide(double[] cond, double[] uncond, double scale) {
    double[] out = new double[cond.length];
    double w = scale - 1;
    for (int i = 0; i < out.length; i++) {
      out[i] = cond[i] + w * (cond[i] - uncond[i]);
    }
    return out;
  }

  /** Sets every entry below the k-th largest to -inf (k = 0 or k >= length: all kept). */
  static void keepTopK(double[] z, int k) {
    if (k == 0 || k >= z.length) {
      return;
    }
    double[] sorted = z.clone();
    Arrays.sort(sorted);
    double kth = sorted[sorted.length - k];
    for (int i = 0; i < z.length; i++) {
      if (z[i] < kth) {
        z[i] = Double.NEGATIVE_INFINITY;
      }
    }
  }

  /** One KV-cached sequence and the vision-head logits after its last token. */
  private static final class Stream {
    private final Generator generator;
    private double[] logits; // [visionVocab]

    Stream(LlamaModel model, VisionExample prompt, int newTokens) {
      this.generator = new Generator(model, prompt.length() + newTokens);
      this.logits = read(generator.feed(prompt.tokens(), prompt.vision(), Modality.VISION));
    }

    /** Feeds vision ids. */
    void feed(int... visionIds) {
      boolean[] mask = new boolean[visionIds.length];
      Arrays.fill(mask, true);
      logits = read(generator.feed(visionIds, mask, Modality.VISION));
    }

    private static double[] read(INDArray row) {
      double[] z = row.toDoubleVector();
      NativeMemory.release(row);
      return z;
    }
  }
}

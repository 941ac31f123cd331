package io.worldring.ops.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.worldring.actors.LocalRing;
import io.worldring.actors.Ring;
import io.worldring.actors.device.ModelSpec;
import io.worldring.actors.driver.StepOutcome;
import io.worldring.model.ComputeThreads;
import io.worldring.model.ModelConfig;
import io.worldring.model.SplitMix64;
import io.worldring.model.TrainingFlops;
import io.worldring.model.attention.TokenBlock;
import io.worldring.model.train.OptimizerConfig;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.SequenceLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * One full training step as the supervisor runs it: forward, backward, the gradient all-reduce around the
 * ring, global-norm clipping and the AdamW update on every replica ({@link Ring#step} with {@code apply}),
 * on N device actors in this JVM. Reports tokens/s, model FLOP/s and MFU against ND4J sgemm measured in
 * the same run (before the ring splits the cores among its devices, so the rate is the whole machine's),
 * and memory per device: the activation peak the ring reports plus weights, gradients and AdamW moments.
 */
public final class StepBench {
  /** The step's settings. */
  public record Settings(ModelConfig model, int devices, int seq, int batch, SequenceLayout layout, int block, int warmup,
      int repeats, int gemmSize) {}

  private StepBench() {}

  public static ObjectNode measure(ObjectNode out, Settings s) {
    describeModel(out.putObject("model"), s.model());
    out.put("devices", s.devices()).put("seq", s.seq()).put("batch", s.batch()).put("layout", s.layout().key())
        .put("attention_block", s.block()).put("warmup_steps", s.warmup()).put("repeats", s.repeats());

    // sgemm first: the ring's devices lower each operation's threads for the rest of this process.
    ObjectNode gemm = out.putObject("gemm");
    int tokensPerDevice = s.seq() / s.devices();
    // The step's largest matmul: a device's tokens through the MLP's gate or up projection.
    ObjectNode shaped = GemmBench.measure(gemm.putObject("model_shape"), tokensPerDevice, s.model().dim(), s.model().hiddenDim(), 10);
    ObjectNode square = GemmBench.measure(gemm.putObject("square"), s.gemmSize(), s.gemmSize(), s.gemmSize(), 10);
    double peak = Math.max(shaped.get("gflops").asDouble(), square.get("gflops").asDouble()) * 1e9;
    gemm.put("threads_per_operation", ComputeThreads.perOperation());
    gemm.put("peak_flops_per_second", peak);

    ModelSpec spec = new ModelSpec(s.model(), 1, "", false, OptimizerConfig.lwm(1e-4, 0, 1), s.block(), false);
    List<TrainingSequence> batch = batch(s.model(), s.seq(), s.batch());
    StepOutcome[] last = new StepOutcome[1];
    double seconds;
    try (Ring ring = LocalRing.start(s.devices(), s.layout(), spec, ConfigFactory.empty())) {
      out.put("threads_per_operation", ComputeThreads.perOperation());
      long[] step = {0};
      seconds = Timing.medianSeconds(() -> last[0] = ring.step(step[0]++, batch, 1e-4, true, false), s.warmup(), s.repeats());
    }
    long tokens = (long) s.seq() * s.batch();
    long pairs = (long) s.batch() * TrainingFlops.attendedPairs(TokenBlock.contiguous(0, s.seq()),
        new TokenBlock[] {TokenBlock.contiguous(0, s.seq())});
    double flops = TrainingFlops.training(s.model(), tokens, pairs);
    out.put("median_seconds", seconds);
    out.put("tokens_per_second", tokens / seconds);
    out.put("model_flops_per_step", flops);
    out.put("model_flops_per_second", flops / seconds);
    out.put("mfu", flops / seconds / peak);
    out.put("loss", last[0].loss());
    out.put("grad_norm", last[0].gradNorm());
    out.put("kv_bytes_per_step", last[0].kvBytesSent());
    out.put("gradient_bytes_per_step", last[0].gradientBytesSent());
    memory(out.putObject("memory_per_device"), s.model(), last[0].peakActivationBytes());
    ProcessMemory.describe(out.putObject("process_memory"));
    return out;
  }

  /** The model's shape, enough to build the same step elsewhere. */
  public static void describeModel(ObjectNode out, ModelConfig c) {
    out.put("dim", c.dim()).put("layers", c.nLayers()).put("heads", c.nHeads()).put("kv_heads", c.nKvHeads())
        .put("hidden", c.hiddenDim()).put("vocab", c.vocabSize()).put("head_dim", c.headDim()).put("norm_eps", c.normEps())
        .put("rope_theta", c.ropeTheta()).put("tied_embeddings", c.tiedEmbeddings()).put("parameters", c.parameterCount());
  }

  /** Each replica holds fp32 weights, a gradient of the same size and AdamW's two moments, beside its activations. */
  private static void memory(ObjectNode out, ModelConfig c, long peakActivationBytes) {
    long parameters = c.parameterCount() * Float.BYTES;
    long optimizer = 2 * parameters;
    out.put("peak_activation_bytes", peakActivationBytes);
    out.put("parameter_bytes", parameters);
    out.put("gradient_bytes", parameters);
    out.put("optimizer_bytes", optimizer);
    out.put("peak_bytes", peakActivationBytes + 2 * parameters + optimizer);
  }

  /** {@code size} sequences of random ids of {@code seq} tokens each, every token with a loss. */
  static List<TrainingSequence> batch(ModelConfig config, int seq, int size) {
    SplitMix64 rng = new SplitMix64(7);
    List<TrainingSequence> batch = new ArrayList<>(size);
    for (int b = 0; b < size; b++) {
      int[] window = new int[seq + 1];
      for (int i = 0; i < window.length; i++) {
        window[i] = rng.nextInt(Math.min(256, config.vocabSize()));
      }
      batch.add(TrainingSequence.causal(window));
    }
    return batch;
  }
}

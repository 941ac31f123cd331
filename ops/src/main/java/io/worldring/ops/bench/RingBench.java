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
import io.worldring.model.train.OptimizerConfig;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.SequenceLayout;
import java.util.List;

/**
 * Forward+backward (and gradient reduction) of one sequence: on one device, then on N device actors
 * in this JVM, same model and data. Reports tokens/s of each, their ratio, bytes between devices, and
 * peak activation memory per device.
 */
public final class RingBench {
  private RingBench() {}

  public static void measure(ObjectNode out, ModelConfig config, int devices, int seq, SequenceLayout layout, int block, int repeats) {
    ModelSpec spec = new ModelSpec(config, 1, "", false, OptimizerConfig.lwm(1e-4, 0, 1), block, false);
    SplitMix64 rng = new SplitMix64(7);
    int[] window = new int[seq + 1];
    for (int i = 0; i < window.length; i++) {
      window[i] = rng.nextInt(Math.min(256, config.vocabSize()));
    }
    List<TrainingSequence> batch = List.of(TrainingSequence.causal(window));
    ObjectNode model = out.putObject("model");
    model.put("dim", config.dim()).put("layers", config.nLayers()).put("heads", config.nHeads()).put("kv_heads", config.nKvHeads())
        .put("hidden", config.hiddenDim()).put("vocab", config.vocabSize());
    out.put("devices", devices).put("seq", seq).put("layout", layout.key()).put("attention_block", block).put("repeats", repeats);
    ObjectNode single = run(out.putObject("single"), 1, layout, spec, batch, repeats, seq);
    ObjectNode ring = run(out.putObject("ring"), devices, layout, spec, batch, repeats, seq);
    out.put("ratio", ring.get("tokens_per_second").asDouble() / single.get("tokens_per_second").asDouble());
  }

  private static ObjectNode run(ObjectNode out, int devices, SequenceLayout layout, ModelSpec spec, List<TrainingSequence> batch,
      int repeats, int seq) {
    StepOutcome[] last = new StepOutcome[1];
    try (Ring ring = LocalRing.start(devices, layout, spec, ConfigFactory.empty())) {
      out.put("threads_per_operation", ComputeThreads.perOperation());
      long[] step = {0};
      double seconds = Timing.medianSeconds(() -> last[0] = ring.step(step[0]++, batch, 0, false, false), 1, repeats);
      out.put("devices", devices);
      out.put("median_seconds", seconds);
      out.put("tokens_per_second", seq / seconds);
      out.put("kv_bytes_per_step", last[0].kvBytesSent());
      out.put("gradient_bytes_per_step", last[0].gradientBytesSent());
      out.put("peak_activation_bytes_per_device", last[0].peakActivationBytes());
    }
    return out;
  }
}

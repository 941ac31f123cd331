package io.worldring.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.BadInputException;
import io.worldring.model.ModelConfig;
import io.worldring.ops.bench.AttentionBench;
import io.worldring.ops.bench.BenchEnvironment;
import io.worldring.ops.bench.GemmBench;
import io.worldring.ops.bench.PeerTorchBench;
import io.worldring.ops.bench.RingBench;
import io.worldring.ops.bench.StepBench;
import io.worldring.ops.bench.TransportBench;
import io.worldring.ops.bench.TransportPeer;
import io.worldring.ring.RingSchedule;
import io.worldring.ring.SequenceLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks; each prints one JSON object on stdout (medians of repeated runs after warm-up).",
    subcommands = {BenchCommand.Gemm.class, BenchCommand.Attention.class, BenchCommand.RingStep.class, BenchCommand.Data.class,
        BenchCommand.Step.class, BenchCommand.Transport.class, BenchCommand.TransportPeerCommand.class, BenchCommand.PeerTorch.class})
final class BenchCommand implements Callable<Integer> {
  static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Integer call() {
    throw new BadInputException("bench needs a benchmark: gemm, attention, ring, step, transport, peer-torch or data (see worldring bench --help)");
  }

  static void print(ObjectNode n) throws Exception {
    System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n));
  }

  @Command(name = "gemm", mixinStandardHelpOptions = true, description = "ND4J sgemm GFLOP/s at square sizes.")
  static final class Gemm implements Callable<Integer> {
    @Option(names = "--sizes", split = ",", defaultValue = "256,512,1024,2048", description = "Matrix sizes (default: ${DEFAULT-VALUE})")
    int[] sizes;

    @Option(names = "--repeats", defaultValue = "10", description = "Timed runs per size (default: ${DEFAULT-VALUE})")
    int repeats;

    @Override
    public Integer call() throws Exception {
      ObjectNode n = JSON.createObjectNode().put("bench", "gemm");
      BenchEnvironment.describe(n);
      ArrayNode results = n.putArray("results");
      for (int s : sizes) {
        if (s < 1) {
          throw new BadInputException("--sizes: " + s + " is not a positive size");
        }
        GemmBench.measure(results.addObject(), s, s, s, repeats);
      }
      print(n);
      return 0;
    }
  }

  @Command(name = "attention", mixinStandardHelpOptions = true,
      description = "Blockwise causal attention forward+backward GFLOP/s (unmasked pairs), and its ratio to sgemm.")
  static final class Attention implements Callable<Integer> {
    @Option(names = "--seq", defaultValue = "2048", description = "Sequence length (default: ${DEFAULT-VALUE})") int seq;

    @Option(names = "--block", defaultValue = "512", description = "Block size (default: ${DEFAULT-VALUE})") int block;

    @Option(names = "--heads", defaultValue = "8", description = "Query heads (default: ${DEFAULT-VALUE})") int heads;

    @Option(names = "--kv-heads", defaultValue = "4", description = "Key/value heads (default: ${DEFAULT-VALUE})") int kvHeads;

    @Option(names = "--head-dim", defaultValue = "64", description = "Head size (default: ${DEFAULT-VALUE})") int headDim;

    @Option(names = "--repeats", defaultValue = "5", description = "Timed runs (default: ${DEFAULT-VALUE})") int repeats;

    @Override
    public Integer call() throws Exception {
      if (seq < 1 || block < 1 || heads < 1 || kvHeads < 1 || headDim < 1 || heads % kvHeads != 0) {
        throw new BadInputException("sizes must be positive and --heads a multiple of --kv-heads");
      }
      ObjectNode n = JSON.createObjectNode().put("bench", "attention");
      BenchEnvironment.describe(n);
      ObjectNode attention = AttentionBench.measure(n.putObject("attention"), seq, block, heads, kvHeads, headDim, repeats);
      int group = heads / kvHeads;
      // The kernel's own matmul shapes (S = Q K^T per key/value head) and a large square gemm.
      ObjectNode shaped = GemmBench.measure(n.putObject("gemm_kernel_shape"), group * block, headDim, block, Math.max(repeats, 10));
      ObjectNode square = GemmBench.measure(n.putObject("gemm_square"), 1024, 1024, 1024, Math.max(repeats, 10));
      n.put("ratio_to_gemm_kernel_shape", attention.get("gflops").asDouble() / shaped.get("gflops").asDouble());
      n.put("ratio_to_gemm_square", attention.get("gflops").asDouble() / square.get("gflops").asDouble());
      print(n);
      return 0;
    }
  }

  @Command(name = "ring", mixinStandardHelpOptions = true,
      description = {"Forward+backward of one sequence of the tiny model on one device and on N device actors in this JVM:",
          "tokens/s of each, their ratio, bytes between devices per step, peak activation memory per device."})
  static final class RingStep implements Callable<Integer> {
    @Option(names = "--devices", defaultValue = "4", description = "Devices in the ring (default: ${DEFAULT-VALUE})") int devices;

    @Option(names = "--seq", defaultValue = "4096", description = "Sequence length (default: ${DEFAULT-VALUE})") int seq;

    @Option(names = "--layout", defaultValue = "zigzag", description = "contiguous or zigzag (default: ${DEFAULT-VALUE})") String layout;

    @Option(names = "--preset", defaultValue = "tiny", description = "Model preset (default: ${DEFAULT-VALUE})") String preset;

    @Option(names = "--block", defaultValue = "256", description = "Attention tile (default: ${DEFAULT-VALUE})") int block;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed runs (default: ${DEFAULT-VALUE})") int repeats;

    @Option(names = "--json", description = "JSON output (the only output format; accepted for scripts)") boolean json;

    @Override
    public Integer call() throws Exception {
      SequenceLayout l = SequenceLayout.parse(layout);
      new RingSchedule(devices, l).checkLength(seq);
      if (repeats < 1 || block < 1) {
        throw new BadInputException("--repeats and --block must be positive");
      }
      ObjectNode n = JSON.createObjectNode().put("bench", "ring");
      BenchEnvironment.describe(n);
      RingBench.measure(n, ModelConfig.preset(preset), devices, seq, l, block, repeats);
      print(n);
      return 0;
    }
  }

  @Command(name = "data", mixinStandardHelpOptions = true,
      description = "The data pipeline on the bundled corpus: tokens/s and loss-token fraction of books, packed UltraChat, QA, and their mixture.")
  static final class Data implements Callable<Integer> {
    @Option(names = "--seq", defaultValue = "4096", description = "Sequence length (default: ${DEFAULT-VALUE})") int seq;

    @Option(names = "--sequences", defaultValue = "200", description = "Sequences per stream (default: ${DEFAULT-VALUE})") int sequences;

    @Option(names = "--tokenizer", defaultValue = "bytes", description = "bytes, or a tokenizer.json (default: ${DEFAULT-VALUE})") String tokenizer;

    @Override
    public Integer call() throws Exception {
      if (seq < 16 || sequences < 1) {
        throw new BadInputException("--seq must be at least 16 and --sequences positive");
      }
      ObjectNode n = JSON.createObjectNode().put("bench", "data").put("seq", seq).put("tokenizer", tokenizer);
      BenchEnvironment.describe(n);
      io.worldring.ops.bench.DataBench.measure(n, io.worldring.datasets.Tokenizers.load(tokenizer), seq, sequences);
      print(n);
      return 0;
    }
  }

  @Command(name = "step", mixinStandardHelpOptions = true,
      description = {"One full training step (forward, backward, gradient all-reduce, clipping, AdamW) on N device actors in this JVM:",
          "tokens/s, model FLOP/s and MFU against sgemm measured in the same run, memory per device, and the model's shape."})
  static final class Step implements Callable<Integer> {
    @Option(names = "--preset", defaultValue = "tiny", description = "Model preset: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})",
        completionCandidates = Presets.class) String preset;

    @Option(names = "--seq", defaultValue = "4096", description = "Sequence length (default: ${DEFAULT-VALUE})") int seq;

    @Option(names = "--devices", defaultValue = "1", description = "Device actors in the ring (default: ${DEFAULT-VALUE})") int devices;

    @Option(names = "--batch", defaultValue = "1", description = "Sequences per step (default: ${DEFAULT-VALUE})") int batch;

    @Option(names = "--layout", defaultValue = "zigzag", description = "contiguous or zigzag (default: ${DEFAULT-VALUE})") String layout;

    @Option(names = "--block", defaultValue = "256", description = "Attention tile (default: ${DEFAULT-VALUE})") int block;

    @Option(names = "--warmup", defaultValue = "1", description = "Untimed steps first (default: ${DEFAULT-VALUE}; 0 for a long context's one step)")
    int warmup;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed steps after the warm-up (default: ${DEFAULT-VALUE})") int repeats;

    @Option(names = "--gemm-size", defaultValue = "1024", description = "Square sgemm size for the peak rate (default: ${DEFAULT-VALUE})")
    int gemmSize;

    @Override
    public Integer call() throws Exception {
      ModelConfig model = ModelConfig.preset(preset);
      SequenceLayout l = SequenceLayout.parse(layout);
      new RingSchedule(devices, l).checkLength(seq);
      positive("--seq", seq);
      positive("--batch", batch);
      positive("--block", block);
      positive("--repeats", repeats);
      positive("--gemm-size", gemmSize);
      if (warmup < 0) {
        throw new BadInputException("--warmup must be 0 or more, got " + warmup);
      }
      ObjectNode n = JSON.createObjectNode().put("bench", "step").put("preset", preset);
      BenchEnvironment.describe(n);
      StepBench.measure(n, new StepBench.Settings(model, devices, seq, batch, l, block, warmup, repeats, gemmSize));
      print(n);
      return 0;
    }
  }

  @Command(name = "transport", mixinStandardHelpOptions = true,
      description = {"Key/value blocks to a second JVM over the ring protocol (Kryo, fragments, Artery TCP on 127.0.0.1) against a",
          "raw loopback socket between the same JVMs carrying the same bytes: MiB/s of each and their ratio per block size."})
  static final class Transport implements Callable<Integer> {
    @Option(names = "--sizes", split = ",", defaultValue = "256,1024,4096,16384,65536",
        description = "Block sizes in KiB, k and v together; even numbers (one token is 2 KiB) (default: ${DEFAULT-VALUE})")
    int[] sizes;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed runs per size and transport (default: ${DEFAULT-VALUE})") int repeats;

    @Option(names = "--window", defaultValue = "2", description = "Blocks sent ahead of their answers at most (default: ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--mib-per-run", defaultValue = "64", description = "MiB a timed run moves, at least 4 blocks (default: ${DEFAULT-VALUE})")
    int mibPerRun;

    @Option(names = "--fragment-kib", description = "Messages above this travel as fragments (default: worldring.ring.fragment-bytes, 4 MiB)")
    Integer fragmentKib;

    @Override
    public Integer call() throws Exception {
      for (int kib : sizes) {
        if (kib < TransportBench.TOKEN_KIB || kib % TransportBench.TOKEN_KIB != 0 || kib > 256 * 1024) {
          throw new BadInputException("--sizes: " + kib + " KiB is not an even number of KiB from 2 to 262144");
        }
      }
      positive("--repeats", repeats);
      positive("--window", window);
      positive("--mib-per-run", mibPerRun);
      if (fragmentKib != null && (fragmentKib < 1 || fragmentKib > 1 << 20)) {
        throw new BadInputException("--fragment-kib must be from 1 to 1048576, got " + fragmentKib);
      }
      ObjectNode n = JSON.createObjectNode().put("bench", "transport");
      BenchEnvironment.describe(n);
      TransportBench.measure(n, new TransportBench.Settings(sizes, repeats, window, mibPerRun, fragmentKib == null ? 0 : fragmentKib * 1024));
      print(n);
      return 0;
    }
  }

  /** The second JVM of `bench transport`, started by it. */
  @Command(name = "transport-peer", hidden = true, description = "The receiving JVM of bench transport (started by it).")
  static final class TransportPeerCommand implements Callable<Integer> {
    @Option(names = "--ready-file", required = true) Path readyFile;

    @Override
    public Integer call() throws Exception {
      TransportPeer.run(readyFile);
      return 0;
    }
  }

  @Command(name = "peer-torch", mixinStandardHelpOptions = true,
      description = {"Our single-device training step, then the same model and step in PyTorch (ops/bench/peer_torch.py), back to",
          "back with ND4J's threads per operation and float32: tokens/s of each and their ratio (ours / PyTorch's).",
          "Needs a Python with torch: --python, else WORLDRING_PYTHON, python3 on the PATH, /usr/bin/python3."})
  static final class PeerTorch implements Callable<Integer> {
    @Option(names = "--preset", defaultValue = "small", description = "Model preset: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})",
        completionCandidates = Presets.class) String preset;

    @Option(names = "--seq", defaultValue = "4096", description = "Sequence length (default: ${DEFAULT-VALUE})") int seq;

    @Option(names = "--block", defaultValue = "256", description = "Our attention tile (default: ${DEFAULT-VALUE})") int block;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed steps of each after one warm-up step (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--python", description = "The Python to run the script with (default: the first of those above that has torch)")
    String python;

    @Option(names = "--script", description = "The PyTorch script (default: the copy inside the application)") Path script;

    @Override
    public Integer call() throws Exception {
      ModelConfig model = ModelConfig.preset(preset);
      positive("--seq", seq);
      positive("--block", block);
      positive("--repeats", repeats);
      if (script != null && !Files.isRegularFile(script)) {
        throw new BadInputException("--script: " + script + " is not a file");
      }
      ObjectNode n = JSON.createObjectNode().put("bench", "peer-torch").put("preset", preset).put("seq", seq);
      BenchEnvironment.describe(n);
      PeerTorchBench.measure(n, new PeerTorchBench.Settings(model, seq, block, repeats, python, script));
      print(n);
      return 0;
    }
  }

  /** The model presets, for --help. */
  static final class Presets implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return ModelConfig.PRESETS.iterator();
    }
  }

  static void positive(String flag, int value) {
    if (value < 1) {
      throw new BadInputException(flag + " must be positive, got " + value);
    }
  }
}

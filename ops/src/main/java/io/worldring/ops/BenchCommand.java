package io.worldring.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.BadInputException;
import io.worldring.ops.bench.AttentionBench;
import io.worldring.ops.bench.BenchEnvironment;
import io.worldring.ops.bench.GemmBench;
import io.worldring.ops.bench.RingBench;
import io.worldring.ring.RingSchedule;
import io.worldring.ring.SequenceLayout;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks; each prints one JSON object on stdout (medians of repeated runs after warm-up).",
    subcommands = {BenchCommand.Gemm.class, BenchCommand.Attention.class, BenchCommand.RingStep.class, BenchCommand.Data.class})
final class BenchCommand implements Callable<Integer> {
  static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Integer call() {
    throw new BadInputException("bench needs a benchmark: gemm, attention, ring or data (see worldring bench --help)");
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
      RingBench.measure(n, io.worldring.model.ModelConfig.preset(preset), devices, seq, l, block, repeats);
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
}

package io.worldring.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.BadInputException;
import io.worldring.model.ComputeThreads;
import io.worldring.model.ModelConfig;
import io.worldring.ring.SequenceLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Our single-device training step against the same step in PyTorch ({@code ops/bench/peer_torch.py}, shipped
 * in the application), back to back, with as many threads per operation as ND4J used and float32. The model
 * shape goes to the script from our {@link ModelConfig}, and the script's parameter count must equal ours.
 * No Python, or no torch in it, is an error that says so: never a number.
 */
public final class PeerTorchBench {
  /** Tried in this order when no Python is named (after {@code WORLDRING_PYTHON}): the PATH's, then Debian's own. */
  static final List<String> DEFAULT_PYTHONS = List.of("python3", "/usr/bin/python3");
  private static final String SCRIPT_RESOURCE = "peer_torch.py";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param python the Python to run, or null to search {@link #DEFAULT_PYTHONS} (and {@code WORLDRING_PYTHON})
   * @param script the script, or null for the one in the application
   */
  public record Settings(ModelConfig model, int seq, int block, int repeats, String python, Path script) {}

  /** A Python that imports torch. */
  record Torch(String python, String torchVersion) {}

  private PeerTorchBench() {}

  public static ObjectNode measure(ObjectNode out, Settings s) throws IOException, InterruptedException {
    Torch torch = findTorch(s.python()); // before the long Java step: no torch, no benchmark
    ObjectNode ours = StepBench.measure(out.putObject("worldring"),
        new StepBench.Settings(s.model(), 1, s.seq(), 1, SequenceLayout.CONTIGUOUS, s.block(), 1, s.repeats(), 1024));
    int threads = ComputeThreads.perOperation();
    JsonNode theirs = runScript(torch, s, threads);
    out.set("torch", theirs);
    long ourParameters = s.model().parameterCount();
    if (theirs.path("parameters").asLong() != ourParameters) {
      throw new IllegalStateException("the PyTorch model has " + theirs.path("parameters").asLong() + " parameters, ours "
          + ourParameters + ": the shapes differ");
    }
    double oursPerSecond = ours.get("tokens_per_second").asDouble();
    double theirsPerSecond = theirs.path("tokens_per_second").asDouble();
    out.put("threads", threads);
    out.put("worldring_tokens_per_second", oursPerSecond);
    out.put("torch_tokens_per_second", theirsPerSecond);
    out.put("ratio", oursPerSecond / theirsPerSecond);
    return out;
  }

  /** The first candidate Python that imports torch; otherwise a {@link BadInputException} naming each and why not. */
  static Torch findTorch(String python) throws InterruptedException {
    List<String> candidates = new ArrayList<>();
    if (python != null) {
      candidates.add(python);
    } else {
      String env = System.getenv("WORLDRING_PYTHON");
      if (env != null && !env.isBlank()) {
        candidates.add(env);
      }
      candidates.addAll(DEFAULT_PYTHONS);
    }
    List<String> why = new ArrayList<>();
    for (String candidate : candidates) {
      Probe probe = probe(candidate);
      if (probe.exitCode() == 0) {
        return new Torch(candidate, probe.output().strip());
      }
      why.add(candidate + ": " + probe.output());
    }
    throw new BadInputException("torch not available (" + String.join("; ", why) + "): install PyTorch for that Python "
        + "(Debian: apt-get install python3-torch) or name one that has it with --python");
  }

  private record Probe(int exitCode, String output) {}

  private static Probe probe(String python) throws InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(python, "-c", "import torch; print(torch.__version__)").redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Probe(-1, "cannot run it (" + e.getMessage() + ")");
    }
    String output = read(p.getInputStream());
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Probe(-1, "importing torch took over 120 s");
    }
    if (p.exitValue() == 0) {
      return new Probe(0, output);
    }
    String[] lines = output.strip().split("\n");
    return new Probe(p.exitValue(), lines[lines.length - 1].strip()); // e.g. ModuleNotFoundError: No module named 'torch'
  }

  private static JsonNode runScript(Torch torch, Settings s, int threads) throws IOException, InterruptedException {
    Path script = s.script();
    Path extracted = null;
    if (script == null) {
      extracted = Files.createTempFile("worldring-peer-torch", ".py");
      try (InputStream in = PeerTorchBench.class.getResourceAsStream(SCRIPT_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(SCRIPT_RESOURCE + " is missing from the application (see ops/pom.xml)");
        }
        Files.copy(in, extracted, StandardCopyOption.REPLACE_EXISTING);
      }
      script = extracted;
    }
    ModelConfig c = s.model();
    List<String> cmd = new ArrayList<>(List.of(torch.python(), script.toString(),
        "--dim", Integer.toString(c.dim()), "--layers", Integer.toString(c.nLayers()), "--heads", Integer.toString(c.nHeads()),
        "--kv-heads", Integer.toString(c.nKvHeads()), "--hidden", Integer.toString(c.hiddenDim()), "--vocab", Integer.toString(c.vocabSize()),
        "--norm-eps", Double.toString(c.normEps()), "--rope-theta", Double.toString(c.ropeTheta()),
        "--seq", Integer.toString(s.seq()), "--repeats", Integer.toString(s.repeats()), "--threads", Integer.toString(threads)));
    if (c.tiedEmbeddings()) {
      cmd.add("--tied-embeddings");
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
    pb.environment().put("MKL_NUM_THREADS", Integer.toString(threads));
    pb.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
    try {
      Process p = pb.start();
      String output = read(p.getInputStream());
      int code = p.waitFor();
      if (code != 0) {
        throw new IllegalStateException(script + " failed with exit code " + code + " (its errors are above)");
      }
      String[] lines = output.strip().split("\n");
      return JSON.readTree(lines[lines.length - 1]);
    } finally {
      if (extracted != null) {
        Files.deleteIfExists(extracted);
      }
    }
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}

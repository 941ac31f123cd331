package io.worldring.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/** `bench step`, `bench transport` and `bench peer-torch`: their flags, and tiny runs of the first two. */
class BenchCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static void assertBadInput(CliRunner.Result r, String... parts) {
    assertEquals(2, r.exitCode(), "exit code; stderr: " + r.err());
    for (String p : parts) {
      assertTrue(r.err().contains(p), "expected '" + p + "' in stderr: " + r.err());
    }
    assertEquals("", r.out(), "nothing on stdout when the input is bad");
  }

  static void assertPositiveFinite(JsonNode n, String field) {
    assertTrue(n.has(field), "missing field " + field + " in " + n);
    double v = n.get(field).asDouble();
    assertTrue(v > 0 && Double.isFinite(v), field + " = " + v + " is not positive and finite");
  }

  @Test
  void newBenchmarksAreListedAndTheirPeerIsHidden() {
    CliRunner.Result help = CliRunner.run("bench", "--help");
    assertEquals(0, help.exitCode(), help.err());
    for (String cmd : List.of("step", "transport", "peer-torch")) {
      assertTrue(help.out().contains(cmd), "bench --help lists " + cmd + ": " + help.out());
      assertEquals(0, CliRunner.run("bench", cmd, "--help").exitCode(), cmd + " --help");
    }
    assertFalse(help.out().contains("transport-peer"), "the transport peer is internal");
    assertBadInput(CliRunner.run("bench"), "step", "transport", "peer-torch");
  }

  @Test
  void badFlagsAreRefusedWithTheirName() {
    assertBadInput(CliRunner.run("bench", "step", "--preset", "huge"), "unknown model preset 'huge'");
    assertBadInput(CliRunner.run("bench", "step", "--devices", "0"), "at least one device");
    assertBadInput(CliRunner.run("bench", "step", "--devices", "3", "--seq", "100"), "multiple of 6", "zigzag");
    assertBadInput(CliRunner.run("bench", "step", "--layout", "diagonal"), "unknown layout 'diagonal'");
    assertBadInput(CliRunner.run("bench", "step", "--repeats", "0"), "--repeats must be positive");
    assertBadInput(CliRunner.run("bench", "step", "--batch", "-1"), "--batch must be positive");
    assertBadInput(CliRunner.run("bench", "step", "--seq", "lots"), "--seq", "lots");
    assertBadInput(CliRunner.run("bench", "step", "--frobnicate"), "--frobnicate");
    assertBadInput(CliRunner.run("bench", "transport", "--sizes", "256,3"), "--sizes: 3 KiB");
    assertBadInput(CliRunner.run("bench", "transport", "--sizes", "0"), "--sizes: 0 KiB");
    assertBadInput(CliRunner.run("bench", "transport", "--window", "0"), "--window must be positive");
    assertBadInput(CliRunner.run("bench", "transport", "--fragment-kib", "0"), "--fragment-kib");
    assertBadInput(CliRunner.run("bench", "peer-torch", "--preset", "huge"), "unknown model preset 'huge'");
    assertBadInput(CliRunner.run("bench", "peer-torch", "--seq", "0"), "--seq must be positive");
    assertBadInput(CliRunner.run("bench", "peer-torch", "--script", "no-such-script.py"), "no-such-script.py is not a file");
  }

  @Test
  void anUnknownAttentionKernelSettingIsRefusedBeforeAnyWork() {
    String before = System.getProperty("worldring.attention.kernel");
    System.setProperty("worldring.attention.kernel", "fast");
    try {
      assertBadInput(CliRunner.run("bench", "gemm", "--sizes", "64"), "-Dworldring.attention.kernel must be auto, vector or nd4j");
    } finally {
      if (before == null) {
        System.clearProperty("worldring.attention.kernel");
      } else {
        System.setProperty("worldring.attention.kernel", before);
      }
    }
  }

  @Test
  void stepOfTwoDevicesReportsThroughputMfuMemoryAndTheModel() throws IOException {
    CliRunner.Result r = CliRunner.run("bench", "step", "--preset", "tiny", "--seq", "64", "--devices", "2", "--block", "16",
        "--repeats", "1", "--gemm-size", "64");
    assertEquals(0, r.exitCode(), r.err());
    JsonNode n = JSON.readTree(r.out());
    assertEquals("step", n.get("bench").asText());
    assertTrue(n.get("environment").has("nd4j_threads"), "the environment is described");
    assertEquals(Nd4j.getEnvironment().isCPU() ? "vector" : "nd4j", n.get("environment").get("attention_softmax").asText(),
        "which softmax kernel ran");
    ModelConfig tiny = ModelConfig.preset("tiny");
    JsonNode model = n.get("model");
    assertEquals(tiny.dim(), model.get("dim").asInt());
    assertEquals(tiny.nLayers(), model.get("layers").asInt());
    assertEquals(tiny.nHeads(), model.get("heads").asInt());
    assertEquals(tiny.nKvHeads(), model.get("kv_heads").asInt());
    assertEquals(tiny.hiddenDim(), model.get("hidden").asInt());
    assertEquals(tiny.vocabSize(), model.get("vocab").asInt());
    for (String f : List.of("median_seconds", "tokens_per_second", "model_flops_per_second", "mfu", "loss", "grad_norm",
        "kv_bytes_per_step", "gradient_bytes_per_step")) {
      assertPositiveFinite(n, f);
    }
    assertEquals(64 / n.get("median_seconds").asDouble(), n.get("tokens_per_second").asDouble(), 1e-6);
    // PaLM's count, by hand: 6 FLOPs per matmul weight per token, and 12 per head dimension per causal pair per layer.
    double matmulWeights = tiny.nLayers() * (2.0 * 64 * 64 + 2.0 * 64 * 32 + 3.0 * 64 * 176) + 272.0 * 64;
    double expected = 6 * matmulWeights * 64 + 12.0 * tiny.nLayers() * 64 * (64 * 65 / 2);
    assertEquals(expected, n.get("model_flops_per_step").asDouble(), 1e-6 * expected);
    JsonNode gemm = n.get("gemm");
    assertPositiveFinite(gemm.get("model_shape"), "gflops");
    assertPositiveFinite(gemm.get("square"), "gflops");
    assertEquals(32, gemm.get("model_shape").get("m").asInt(), "a device's tokens through the MLP");
    assertEquals(n.get("model_flops_per_second").asDouble() / gemm.get("peak_flops_per_second").asDouble(), n.get("mfu").asDouble(), 1e-9);
    JsonNode memory = n.get("memory_per_device");
    assertPositiveFinite(memory, "peak_activation_bytes");
    assertEquals(4 * tiny.parameterCount(), memory.get("parameter_bytes").asLong());
    assertEquals(memory.get("peak_activation_bytes").asLong() + 4 * 4 * tiny.parameterCount(), memory.get("peak_bytes").asLong(),
        "activations + weights + gradient + two AdamW moments");
  }

  @Test
  void transportMeasuresTheRingPathAndTheSocketWithFragments() throws IOException {
    CliRunner.Result r = CliRunner.run("bench", "transport", "--sizes", "64,256", "--repeats", "1", "--mib-per-run", "1",
        "--fragment-kib", "128");
    assertEquals(0, r.exitCode(), r.err());
    JsonNode n = JSON.readTree(r.out());
    assertEquals("transport", n.get("bench").asText());
    assertTrue(n.get("environment").has("cpu"), "the environment is described");
    assertEquals(128 * 1024, n.get("fragment_bytes").asInt());
    JsonNode results = n.get("results");
    assertEquals(2, results.size());
    for (JsonNode size : results) {
      int kib = size.get("size_kib").asInt();
      assertEquals(kib * 1024L, size.get("payload_bytes").asLong(), "k and v together");
      assertTrue(size.get("message_bytes").asLong() > size.get("payload_bytes").asLong(), "the message wraps the payload");
      for (String f : List.of("ring_mib_per_second", "socket_mib_per_second", "ratio", "codec_mib_per_second")) {
        assertPositiveFinite(size, f);
      }
      assertEquals(size.get("ring_mib_per_second").asDouble() / size.get("socket_mib_per_second").asDouble(), size.get("ratio").asDouble(),
          1e-9);
    }
    assertEquals(1, results.get(0).get("fragments").asInt(), "64 KiB goes whole");
    assertEquals(3, results.get(1).get("fragments").asInt(), "256 KiB and a header in fragments of 128 KiB");
    assertEquals(4, results.get(1).get("blocks_per_run").asInt(), "at least 4 blocks a run");
  }

  @Test
  void peerTorchSaysTorchIsMissingInsteadOfMeasuring(@TempDir Path dir) throws IOException {
    // A Python without torch, as such a Python answers `import torch`.
    Path noTorch = dir.resolve("python-without-torch");
    Files.writeString(noTorch, "#!/bin/sh\necho \"Traceback (most recent call last):\" >&2\n"
        + "echo \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1\n");
    Files.setPosixFilePermissions(noTorch, PosixFilePermissions.fromString("rwx------"));
    CliRunner.Result r = CliRunner.run("bench", "peer-torch", "--preset", "tiny", "--seq", "64", "--python", noTorch.toString());
    assertBadInput(r, "torch not available", noTorch.toString(), "No module named 'torch'", "--python");

    CliRunner.Result missing = CliRunner.run("bench", "peer-torch", "--preset", "tiny", "--seq", "64", "--python",
        dir.resolve("no-such-python").toString());
    assertBadInput(missing, "torch not available", "no-such-python", "cannot run it");
  }
}

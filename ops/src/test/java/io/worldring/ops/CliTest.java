package io.worldring.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.model.io.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static Path stories() {
    return Path.of(System.getProperty("worldring.stories", "../model/src/test/resources/stories260K/stories260K.bin"));
  }

  static void assertBadInput(CliRunner.Result r, String... parts) {
    assertEquals(2, r.exitCode(), "exit code; stderr: " + r.err());
    for (String p : parts) {
      assertTrue(r.err().contains(p), "expected '" + p + "' in stderr: " + r.err());
    }
  }

  @Test
  void everyCommandHasHelp() {
    CliRunner.Result top = CliRunner.run("--help");
    assertEquals(0, top.exitCode());
    for (String cmd : List.of("train", "import", "logits", "generate", "bench")) {
      assertTrue(top.out().contains(cmd), "--help lists " + cmd);
      CliRunner.Result r = CliRunner.run(cmd, "--help");
      assertEquals(0, r.exitCode(), cmd + " --help");
      assertTrue(r.out().startsWith("Usage: worldring " + cmd), r.out());
    }
    assertEquals(0, CliRunner.run("bench", "gemm", "--help").exitCode());
    assertEquals(2, CliRunner.run("frobnicate").exitCode());
  }

  @Test
  void importThenLogitsAndGenerate(@TempDir Path dir) throws IOException {
    Path ck = dir.resolve("stories");
    CliRunner.Result imp = CliRunner.run("import", "--format", "llama2c", stories().toString(), "--out", ck.toString());
    assertEquals(0, imp.exitCode(), imp.err());
    assertTrue(Checkpoint.isCheckpoint(ck));
    CliRunner.Result logits = CliRunner.run("logits", "--checkpoint", ck.toString(), "--tokens", "1 100 200 300", "--json");
    assertEquals(0, logits.exitCode(), logits.err());
    JsonNode n = JSON.readTree(logits.out());
    assertEquals(512, n.get("logits").size());
    List<String> ref = Files.readAllLines(stories().resolveSibling("logits_after_prompt_a.txt"));
    for (int i = 0; i < 512; i++) {
      assertEquals(Double.parseDouble(ref.get(i)), n.get("logits").get(i).asDouble(), 1e-4, "logit " + i);
    }
    CliRunner.Result plain = CliRunner.run("logits", "--checkpoint", ck.toString(), "--tokens", "1 100 200 300");
    assertEquals(512, plain.out().strip().split("\n").length);
    CliRunner.Result gen = CliRunner.run("generate", "--checkpoint", ck.toString(), "--tokens", "1 100 200 300",
        "--max-new-tokens", "5", "--json");
    assertEquals(0, gen.exitCode(), gen.err());
    assertEquals("[371,350,473,473,473]", JSON.readTree(gen.out()).get("generated").toString());
  }

  @Test
  void badImportsFailWithTheFileNamed(@TempDir Path dir) throws IOException {
    assertBadInput(CliRunner.run("import", "--format", "llama2c", dir.resolve("missing.bin").toString(), "--out", dir.resolve("o").toString()),
        "missing.bin: no such file");
    Path cut = dir.resolve("cut.bin");
    byte[] full = Files.readAllBytes(stories());
    Files.write(cut, java.util.Arrays.copyOf(full, full.length / 2));
    assertBadInput(CliRunner.run("import", "--format", "llama2c", cut.toString(), "--out", dir.resolve("o").toString()),
        "cut.bin", "does not match its header");
    Path hf = Files.createDirectories(dir.resolve("hf"));
    Files.writeString(hf.resolve("config.json"), "{\"architectures\": [\"MistralForCausalLM\"]}");
    assertBadInput(CliRunner.run("import", "--format", "hf", hf.toString(), "--out", dir.resolve("o").toString()),
        "config.json", "unknown architecture 'MistralForCausalLM'");
    assertTrue(Files.notExists(dir.resolve("o")), "nothing written on failure");
    assertBadInput(CliRunner.run("logits", "--checkpoint", dir.resolve("nothing").toString(), "--tokens", "1"), "nothing");
  }

  @Test
  void trainingResumesOnTheExactTrajectory(@TempDir Path dir) throws IOException {
    Path data = dir.resolve("text.txt");
    Files.writeString(data, "It was the best of times, it was the worst of times, it was the age of wisdom, "
        .repeat(20));
    String[] common = {"train", "--data", data.toString(), "--seq-len", "32", "--batch-size", "2", "--progress", "none",
        "--checkpoint-every", "3", "--lr", "0.01", "--warmup-steps", "2"};
    Path straight = dir.resolve("straight");
    CliRunner.Result a = CliRunner.run(concat(common, "--steps", "6", "--run-dir", straight.toString()));
    assertEquals(0, a.exitCode(), a.err());
    Path resumed = dir.resolve("resumed");
    CliRunner.Result b1 = CliRunner.run(concat(common, "--steps", "6", "--stop-at", "4", "--run-dir", resumed.toString()));
    assertEquals(0, b1.exitCode(), b1.err());
    CliRunner.Result b2 = CliRunner.run("train", "--resume", "--run-dir", resumed.toString(), "--progress", "none");
    assertEquals(0, b2.exitCode(), b2.err());
    double[] la = losses(straight);
    double[] lb = losses(resumed);
    assertEquals(6, la.length);
    assertArrayEquals(la, lb, 0.0, "resumed run must repeat the uninterrupted losses exactly");
    assertTrue(Files.isRegularFile(straight.resolve("run.conf")));
    assertTrue(Checkpoint.isCheckpoint(straight.resolve("checkpoints").resolve(Checkpoint.stepDirName(6))));

    CliRunner.Result changed = CliRunner.run("train", "--run-dir", resumed.toString(), "--steps", "8", "--seq-len", "64");
    assertBadInput(changed, "--seq-len cannot change when continuing");
  }

  @Test
  void badTrainingInputs(@TempDir Path dir) throws IOException {
    assertBadInput(CliRunner.run("train", "--data", dir.resolve("none.txt").toString(), "--run-dir", dir.resolve("r1").toString(),
        "--progress", "none"), "none.txt: no such file or directory", "data.books");
    Path conf = dir.resolve("bad.conf");
    Files.writeString(conf, "worldring.train {\n  steps = 2\n  learning-rate = 0.1\n}\n");
    assertBadInput(CliRunner.run("train", "--config", conf.toString(), "--run-dir", dir.resolve("r2").toString()),
        "bad.conf:3", "unknown key 'worldring.train.learning-rate'");
    Files.writeString(conf, "worldring.train {\n  steps = 3\n}\nworldring.trian {\n  steps = 2\n}\n");
    assertBadInput(CliRunner.run("train", "--config", conf.toString(), "--run-dir", dir.resolve("r8").toString()),
        "bad.conf:4", "unknown section 'worldring.trian'");
    Files.writeString(conf, "worldring.train {\n  optimizer { schedule = linear }\n}\n");
    assertBadInput(CliRunner.run("train", "--config", conf.toString(), "--run-dir", dir.resolve("r3").toString()),
        "schedule must be constant or cosine");
    Files.writeString(conf, "worldring.train {\n  steps = \n");
    assertBadInput(CliRunner.run("train", "--config", conf.toString(), "--run-dir", dir.resolve("r4").toString()), "bad.conf");
    assertBadInput(CliRunner.run("train", "--devices", "4", "--min-devices", "4", "--seq-len", "36", "--run-dir",
        dir.resolve("r5").toString(), "--progress", "none"), "seq-len 36 does not split over a ring of at least 4", "divisible by 2n");
    Files.writeString(conf, "worldring.curricula.mine = [\n  { name = a, seq-len = 64, steps = 2 }\n  { name = b, seq-len = 128, rope-thta = 5 }\n]\n");
    assertBadInput(CliRunner.run("train", "--config", conf.toString(), "--curriculum", "mine", "--run-dir", dir.resolve("r9").toString()),
        "bad.conf:3", "unknown key 'rope-thta'");
    assertBadInput(CliRunner.run("train", "--curriculum", "nope", "--run-dir", dir.resolve("r10").toString()),
        "worldring.train.curriculum: 'nope' is not defined");
    assertBadInput(CliRunner.run("train", "--resume", "--run-dir", dir.resolve("r11").toString()), "nothing to resume");
    assertBadInput(CliRunner.run("train", "--devices", "2", "--layout", "diagonal", "--run-dir", dir.resolve("r7").toString()),
        "unknown layout 'diagonal'");
    assertBadInput(CliRunner.run("node", "--seed", "localhost", "--run-dir", dir.resolve("r12").toString()), "seed 'localhost' must be HOST:PORT");
    assertBadInput(CliRunner.run("train", "--preset", "huge", "--run-dir", dir.resolve("r6").toString(), "--progress", "none"),
        "unknown model preset 'huge'");
  }

  /**
   * Data that only the supervisor can judge (it opens a stage's data when the stage starts) ends the run
   * with its message and the process exits: the supervisor finished before any device registered, and
   * still tells their nodes to shut down once they do (they used to wait for ever).
   */
  @Test
  void aRunThatEndsBeforeItsDevicesRegisterStillExits(@TempDir Path dir) throws IOException {
    Path conf = dir.resolve("short.conf");
    Files.writeString(conf, """
        worldring.curricula.short = [
          { name = captions, seq-len = 128, steps = 2, tokens-per-batch = 256,
            data { books-weight = 0, vision { caption-weight = 1 } } }
        ]
        """);
    CliRunner.Result r = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> CliRunner.run("train", "--config", conf.toString(),
        "--curriculum", "short", "--devices", "2", "--run-dir", dir.resolve("run").toString(), "--progress", "none", "--metrics-port", "0"));
    assertBadInput(r, "caption-weight", "a sequence of 128 tokens is too short for still captions");
  }

  @Test
  void ringTrainingMatchesOneDeviceAndResumes(@TempDir Path dir) throws IOException {
    Path data = dir.resolve("text.txt");
    Files.writeString(data, "Whenever it is a damp, drizzly November in my soul, I account it high time to get to sea. ".repeat(10));
    String[] common = {"train", "--data", data.toString(), "--seq-len", "32", "--batch-size", "2", "--progress", "none",
        "--checkpoint-every", "2", "--lr", "0.01", "--warmup-steps", "1", "--steps", "4"};
    CliRunner.Result one = CliRunner.run(concat(common, "--run-dir", dir.resolve("one").toString()));
    assertEquals(0, one.exitCode(), one.err());
    CliRunner.Result ring = CliRunner.run(concat(common, "--devices", "4", "--layout", "zigzag", "--stop-at", "2",
        "--run-dir", dir.resolve("ring").toString()));
    assertEquals(0, ring.exitCode(), ring.err());
    CliRunner.Result resumed = CliRunner.run("train", "--run-dir", dir.resolve("ring").toString(), "--progress", "none");
    assertEquals(0, resumed.exitCode(), resumed.err());
    double[] a = losses(dir.resolve("one"));
    double[] b = losses(dir.resolve("ring"));
    assertEquals(4, b.length);
    for (int i = 0; i < 4; i++) {
      assertEquals(a[i], b[i], 1e-4 * Math.abs(a[i]), "step " + (i + 1) + ": one device " + a[i] + ", ring of 4 " + b[i]);
    }
  }

  @Test
  void needleEvaluationFromTheCommandLine(@TempDir Path dir) throws IOException {
    Path ck = dir.resolve("ck");
    assertEquals(0, CliRunner.run("import", "--format", "llama2c", stories().toString(), "--out", ck.toString()).exitCode());
    int trained = Checkpoint.readManifest(ck).config().maxSeqLen();
    CliRunner.Result ok = CliRunner.run("eval", "needle", "--checkpoint", ck.toString(), "--contexts", "200," + trained, "--depths", "0,100",
        "--rounds", "1", "--out", dir.resolve("ev").toString(), "--progress", "none");
    assertEquals(0, ok.exitCode(), ok.err());
    assertTrue(ok.out().startsWith("needle: accuracy "), ok.out());
    for (String f : List.of("results.json", "heatmap.png", "heatmap.html")) {
      assertTrue(Files.size(dir.resolve("ev").resolve(f)) > 0, f);
    }
    assertEquals(4, JSON.readTree(dir.resolve("ev/results.json").toFile()).get("cells").size());

    assertBadInput(CliRunner.run("eval", "needle", "--checkpoint", ck.toString(), "--contexts", Integer.toString(trained * 2),
        "--out", dir.resolve("e1").toString()), "above the model's trained maximum of " + trained, "--allow-extrapolation");
    Path empty = dir.resolve("empty.txt");
    Files.writeString(empty, "");
    assertBadInput(CliRunner.run("eval", "needle", "--checkpoint", ck.toString(), "--contexts", "128", "--haystack", empty.toString(),
        "--out", dir.resolve("e2").toString()), "empty.txt");
    Path small = dir.resolve("small.txt");
    Files.writeString(small, "A short story. It ends here.");
    assertBadInput(CliRunner.run("eval", "needle", "--checkpoint", ck.toString(), "--contexts", "200", "--haystack", small.toString(),
        "--out", dir.resolve("e3").toString()), "shorter than the requested context of 200");
    assertBadInput(CliRunner.run("eval", "needle", "--checkpoint", ck.toString(), "--contexts", "a:b", "--out", dir.resolve("e4").toString()),
        "--contexts 'a:b'");

    CliRunner.Result ppl = CliRunner.run("eval", "perplexity", "--checkpoint", ck.toString(), "--context", "64", "--max-chunks", "2",
        "--out", dir.resolve("ppl.json").toString());
    assertEquals(0, ppl.exitCode(), ppl.err());
    JsonNode p = JSON.readTree(ppl.out());
    assertEquals(128, p.get("tokens").asInt());
    assertEquals(Math.exp(p.get("loss").asDouble()), p.get("perplexity").asDouble(), 1e-9);
    CliRunner.Result cmp = CliRunner.run("eval", "compare", dir.resolve("ev/results.json").toString(), dir.resolve("ppl.json").toString());
    assertEquals(0, cmp.exitCode(), cmp.err());
    assertTrue(cmp.out().contains("needle accuracy @" + trained) && cmp.out().contains("perplexity @64"), cmp.out());
    assertBadInput(CliRunner.run("eval", "perplexity", "--checkpoint", ck.toString(), "--context", Integer.toString(trained + 1)),
        "--allow-extrapolation");
  }

  @Test
  void chatStreamsAnswersAndKeepsTheConversation(@TempDir Path dir) throws IOException {
    var m = io.worldring.model.io.Llama2cImporter.read(stories());
    io.worldring.model.LlamaModel model = new io.worldring.model.LlamaModel(m.config(), m.weights());
    Path doc = dir.resolve("doc.txt");
    Files.writeString(doc, "Once upon a time there was a cat.");
    String input = "Hello there\n/reset\n/context " + doc + "\nWho was there?\n/quit\n";
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.PrintStream out = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8)) {
      ChatCommand.session(model, new io.worldring.datasets.ByteTokenizer(), new java.io.BufferedReader(new java.io.StringReader(input)), out,
          new io.worldring.model.generate.SamplingOptions(0, 1, 0), 12);
    }
    String shown = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(2, shown.split("ASSISTANT:", -1).length - 1, shown);
    assertTrue(shown.contains("(conversation cleared)"), shown);
    assertTrue(shown.contains("doc.txt: 33 tokens before the next question"), shown);
    // The streamed answer is the greedy answer to the same prompt.
    io.worldring.datasets.ByteTokenizer tok = new io.worldring.datasets.ByteTokenizer();
    int[] ids = tok.encode(io.worldring.datasets.ChatTemplate.SYSTEM + " USER: Hello there ASSISTANT:");
    int[] prompt = new int[ids.length + 1];
    prompt[0] = tok.bos();
    System.arraycopy(ids, 0, prompt, 1, ids.length);
    String expected = new io.worldring.ops.eval.ModelAnswerer(model, tok, 12).answer(prompt);
    assertTrue(shown.contains("ASSISTANT:" + expected) || shown.contains("ASSISTANT: " + expected), expected + " in " + shown);
  }

  @Test
  void benchPrintsJson() throws IOException {
    CliRunner.Result r = CliRunner.run("bench", "gemm", "--sizes", "64,128", "--repeats", "3");
    assertEquals(0, r.exitCode(), r.err());
    JsonNode n = JSON.readTree(r.out());
    assertEquals(2, n.get("results").size());
    assertTrue(n.get("results").get(1).get("gflops").asDouble() > 0);
    CliRunner.Result a = CliRunner.run("bench", "attention", "--seq", "128", "--block", "32", "--heads", "4", "--kv-heads", "2",
        "--head-dim", "16", "--repeats", "1");
    assertEquals(0, a.exitCode(), a.err());
    JsonNode an = JSON.readTree(a.out());
    assertEquals(128 * 129 / 2.0, an.get("attention").get("unmasked_pairs").asDouble());
    assertTrue(an.get("ratio_to_gemm_square").asDouble() > 0);
    CliRunner.Result ring = CliRunner.run("bench", "ring", "--devices", "2", "--seq", "64", "--block", "16", "--repeats", "1", "--json");
    assertEquals(0, ring.exitCode(), ring.err());
    JsonNode rn = JSON.readTree(ring.out());
    assertEquals(64, rn.get("model").get("dim").asInt(), "the tiny model's shape is reported");
    assertTrue(rn.get("ring").get("kv_bytes_per_step").asLong() > 0);
    assertEquals(0, rn.get("single").get("kv_bytes_per_step").asLong());
    assertTrue(rn.get("ratio").asDouble() > 0);
  }

  static double[] losses(Path run) throws IOException {
    return Files.readAllLines(run.resolve("metrics.jsonl")).stream().mapToDouble(l -> {
      try {
        return JSON.readTree(l).get("loss").asDouble();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).toArray();
  }

  static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}

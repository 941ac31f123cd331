package io.worldring.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.LlamaModel;
import io.worldring.model.generate.Generator;
import io.worldring.model.generate.SamplingOptions;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The LLaMA forward pass on real pretrained weights (stories260K, llama2.c format) against the reference
 * C implementation's logits and greedy continuation.
 */
class Stories260kTest {
  static final int[] PROMPT = {1, 100, 200, 300};
  static final int[] GREEDY = {371, 350, 473, 473, 473, 465, 466, 0, 465, 466, 137, 147, 345, 426, 407, 213, 147, 341, 341,
      341, 341, 341, 446, 473, 473, 367, 367, 367};
  static final double LOGIT_TOLERANCE = 1e-4;

  static Path resource(String name) throws URISyntaxException {
    return Path.of(Stories260kTest.class.getResource("/stories260K/" + name).toURI());
  }

  private static ImportedModel imported;
  private static double[] reference;

  @BeforeAll
  static void load() throws Exception {
    imported = Llama2cImporter.read(resource("stories260K.bin"));
    List<String> lines = Files.readAllLines(resource("logits_after_prompt_a.txt"));
    reference = lines.stream().filter(s -> !s.isBlank()).mapToDouble(Double::parseDouble).toArray();
  }

  @Test
  void headerIsRead() {
    var c = imported.config();
    assertEquals(64, c.dim());
    assertEquals(172, c.hiddenDim());
    assertEquals(5, c.nLayers());
    assertEquals(8, c.nHeads());
    assertEquals(4, c.nKvHeads());
    assertEquals(512, c.vocabSize());
    assertTrue(c.tiedEmbeddings());
  }

  @Test
  void logitsMatchTheReferenceImplementation() {
    assertEquals(512, reference.length);
    LlamaModel model = new LlamaModel(imported.config(), imported.weights());
    INDArray logits = model.logits(PROMPT);
    INDArray last = logits.get(NDArrayIndex.point(PROMPT.length - 1), NDArrayIndex.all());
    assertMatchesReference(last, "full forward");

    // The same through the KV cache, one token at a time.
    Generator gen = new Generator(model, 64);
    INDArray cached = null;
    for (int t : PROMPT) {
      cached = gen.feed(new int[] {t});
    }
    assertMatchesReference(cached, "KV-cache decoding");
  }

  @Test
  void greedyContinuationMatches() {
    LlamaModel model = new LlamaModel(imported.config(), imported.weights());
    int[] out = new Generator(model, 64).generate(PROMPT, GREEDY.length, SamplingOptions.greedy(), t -> t == 1);
    assertArrayEquals(GREEDY, out);
  }

  @Test
  void exportedHuggingFaceDirectoryImportsToTheSameModel(@TempDir Path dir) throws IOException {
    Path ckpt = dir.resolve("ckpt");
    Checkpoint.save(ckpt, imported.config(), imported.weights(), null, 0, null);
    // The checkpoint is a Hugging Face directory: read it back through the HF importer.
    ImportedModel viaHf = HfImporter.read(ckpt);
    assertEquals(imported.config(), viaHf.config());
    for (String name : imported.weights().names()) {
      assertEquals(imported.weights().get(name), viaHf.weights().get(name), name);
    }
    // q_proj is stored in HF's rotate-half row order, not as it is held in memory.
    var raw = Safetensors.read(ckpt.resolve(Checkpoint.WEIGHTS), DataType.FLOAT);
    String q = io.worldring.model.ParameterNames.qProj(0);
    assertTrue(!raw.get(q).equals(imported.weights().get(q)), "q_proj should be permuted on disk");
    LlamaModel model = new LlamaModel(viaHf.config(), viaHf.weights());
    assertMatchesReference(model.logits(PROMPT).get(NDArrayIndex.point(PROMPT.length - 1), NDArrayIndex.all()), "via HF import");
  }

  private void assertMatchesReference(INDArray logits, String what) {
    double max = 0;
    int at = -1;
    for (int i = 0; i < reference.length; i++) {
      double d = Math.abs(logits.getDouble(i) - reference[i]);
      if (d > max) {
        max = d;
        at = i;
      }
    }
    assertTrue(max <= LOGIT_TOLERANCE, what + ": max |logit - reference| = " + max + " at id " + at + " (tolerance " + LOGIT_TOLERANCE + ")");
  }
}

package io.worldring.ops.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.worldring.actors.LocalRing;
import io.worldring.actors.Ring;
import io.worldring.actors.device.ModelSpec;
import io.worldring.datasets.ByteTokenizer;
import io.worldring.datasets.Needles;
import io.worldring.datasets.SampleCorpus;
import io.worldring.datasets.eval.NeedlePrompt;
import io.worldring.model.LlamaModel;
import io.worldring.model.SplitMix64;
import io.worldring.model.io.Checkpoint;
import io.worldring.model.io.Llama2cImporter;
import io.worldring.model.train.OptimizerConfig;
import io.worldring.ring.SequenceLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Needle prompts answered with the sequence split over a ring of device actors give the same greedy answers
 * (and the same logits, to float rounding) as one device with a KV cache; on a small pretrained model.
 */
class RingEvaluationTest {
  @Test
  void ringAnswersEqualOneDevice(@TempDir Path dir) throws Exception {
    Path ck = dir.resolve("ck");
    Path stories = Path.of(System.getProperty("worldring.stories", "../model/src/test/resources/stories260K/stories260K.bin"));
    var imported = Llama2cImporter.read(stories);
    Checkpoint.save(ck, imported.config(), imported.weights(), null, 0, null);
    Checkpoint.Loaded loaded = Checkpoint.load(ck, DataType.FLOAT);
    LlamaModel model = new LlamaModel(loaded.config(), loaded.weights());
    ByteTokenizer bytes = new ByteTokenizer();
    String haystack = SampleCorpus.text(SampleCorpus.MOBY_DICK).substring(30_000);
    List<int[]> prompts = new ArrayList<>();
    for (double depth : new double[] {0, 50, 100}) {
      List<Needles.Needle> needles = Needles.draw(new SplitMix64((long) depth), 1);
      prompts.add(NeedlePrompt.build(haystack, bytes, 230, needles, new double[] {depth}, new int[] {0}).tokens());
    }
    ModelAnswerer single = new ModelAnswerer(model, bytes, 10);
    List<String> expected = prompts.stream().map(single::answer).toList();
    ModelSpec spec = new ModelSpec(loaded.config(), 0, ck.toString(), false,
        new OptimizerConfig(1e-3, 0, "constant", 0, 1, 0.9, 0.95, 1e-8, 0, 1), 32, false);
    for (SequenceLayout layout : SequenceLayout.values()) {
      try (Ring ring = LocalRing.start(3, layout, spec, ConfigFactory.empty())) {
        RingAnswerer ringAnswers = new RingAnswerer(ring, layout, bytes, 10);
        for (int i = 0; i < prompts.size(); i++) {
          assertEquals(expected.get(i), ringAnswers.answer(prompts.get(i)), layout + ", prompt " + i);
        }
        float[] a = ringAnswers.nextLogits(prompts.get(1));
        float[] b = model.logits(prompts.get(1)).getRow(prompts.get(1).length - 1).dup().data().asFloat();
        double max = 0;
        for (int v = 0; v < a.length; v++) {
          max = Math.max(max, Math.abs(a[v] - b[v]));
        }
        System.out.printf("ring of 3 (%s) vs one device: answers equal, last-position logits differ by %.2e%n", layout, max);
        assertTrue(max <= 1e-4, "logits " + max);
      }
    }
  }
}

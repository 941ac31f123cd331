package io.worldring.ops.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.datasets.ByteTokenizer;
import io.worldring.datasets.SampleCorpus;
import io.worldring.model.LlamaModel;
import io.worldring.model.io.Llama2cImporter;
import io.worldring.model.train.TrainingSequence;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Perplexity against the model's own loss, on a small pretrained model. */
class PerplexityAndChatTest {
  static LlamaModel stories() {
    Path file = Path.of(System.getProperty("worldring.stories", "../model/src/test/resources/stories260K/stories260K.bin"));
    var m = Llama2cImporter.read(file);
    return new LlamaModel(m.config(), m.weights());
  }

  @Test
  void perplexityIsTheExponentOfTheMeanLoss() {
    LlamaModel model = stories();
    int[] stream = new ByteTokenizer().encode(SampleCorpus.text(SampleCorpus.MOBY_DICK).substring(5000, 8000));
    int context = 100;
    Perplexity.Result r = Perplexity.measure(model, stream, context, 4);
    assertEquals(4, r.chunks());
    assertEquals(400, r.tokens());
    double sum = 0;
    for (int c = 0; c < 4; c++) {
      int start = c * (context + 1);
      sum += model.loss(TrainingSequence.causal(Arrays.copyOfRange(stream, start, start + context + 1)));
    }
    double expected = sum / 400;
    assertEquals(expected, r.loss(), 1e-4 * expected, "the same cross-entropy as the training loss");
    assertEquals(Math.exp(r.loss()), r.perplexity(), 1e-9);
    assertTrue(r.tokenAccuracy() >= 0 && r.tokenAccuracy() <= 1);
  }
}

package io.worldring.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.datasets.source.LossWeighting;
import io.worldring.datasets.source.PackedStream;
import io.worldring.datasets.source.ShuffledExamples;
import io.worldring.model.LlamaModel;
import io.worldring.model.ModelConfig;
import io.worldring.model.ParameterLayout;
import io.worldring.model.Parameters;
import io.worldring.model.train.BatchWeights;
import io.worldring.model.train.TrainingSequence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class ChatAndPackingTest {
  static final ByteTokenizer BYTES = new ByteTokenizer();
  static final ChatTemplate CHAT = new ChatTemplate(BYTES);

  @Test
  void lossOnlyOnAnswersAndTheFinalEos() {
    Example e = CHAT.format("d1", List.of("Who is the captain?", "Ahab.", "Of which ship?", "The Pequod."), null);
    assertEquals(BYTES.bos(), e.tokens()[0]);
    assertEquals(BYTES.eos(), e.tokens()[e.length() - 1]);
    String text = BYTES.decode(e.tokens());
    assertEquals("You are a helpful assistant. USER: Who is the captain? ASSISTANT: Ahab. USER: Of which ship? ASSISTANT: The Pequod.", text);
    StringBuilder withLoss = new StringBuilder();
    for (int i = 1; i < e.length() - 1; i++) {
      if (e.loss()[i]) {
        withLoss.append((char) e.tokens()[i]);
      }
    }
    assertEquals(" Ahab. The Pequod.", withLoss.toString(), "exactly the answers (with their leading space) carry a loss");
    assertTrue(e.loss()[e.length() - 1], "EOS is predicted");
    assertFalse(e.loss()[0]);
    assertEquals(" Ahab. The Pequod.".length() + 1, e.lossTokens());
  }

  @Test
  void aDocumentGoesBeforeTheFirstQuestion() {
    Example e = CHAT.format("qa", List.of("Q?", "A."), "Some long text.");
    assertEquals("You are a helpful assistant. USER: Some long text.\n\nQ? ASSISTANT: A.", BYTES.decode(e.tokens()));
  }

  static List<Example> examples() {
    return List.of(
        CHAT.format("a", List.of("Who wrote Moby-Dick?", "Melville."), null),
        CHAT.format("b", List.of("Name the whale.", "Moby Dick.", "Its colour?", "White."), null),
        CHAT.text("c", "It was the best of times."));
  }

  @Test
  void packedSequencesIsolateExamplesAndWeighThemAsIfAlone() {
    int seqLen = 256;
    List<Example> examples = examples();
    PackedStream packed = new PackedStream(new ShuffledExamples("chat", examples, 1), seqLen, BYTES.pad(), LossWeighting.PER_EXAMPLE);
    TrainingSequence seq = packed.next();
    assertEquals(seqLen, seq.length());
    // Every example fits: three segments plus padding, positions restart, padding has no loss.
    int[] segs = seq.segments();
    assertEquals(3, segs[seqLen - 1], "padding is its own segment");
    assertEquals(0, seq.positions()[0]);
    int boundary = 1;
    while (segs[boundary] == segs[0]) {
      boundary++;
    }
    assertEquals(0, seq.positions()[boundary], "positions restart in the next segment");
    assertEquals(0f, seq.weights()[seqLen - 1]);

    ModelConfig config = new ModelConfig(32, 2, 4, 2, 48, ByteTokenizer.VOCAB_SIZE, 1e-5, 10_000, 512, false);
    LlamaModel model = new LlamaModel(config, ParameterLayout.initialize(config, 3, DataType.FLOAT), new LlamaModel.ComputeOptions(64, false, 128));
    Parameters packedGrads = model.parameters().zerosLike();
    double packedLoss = 0;
    for (TrainingSequence s : BatchWeights.normalise(List.of(seq))) {
      packedLoss += model.lossAndGradients(s, packedGrads);
    }

    // The same examples one by one, unpacked: loss on answers, each example weighing 1/(its loss tokens),
    // and the batch normalised the same way.
    List<TrainingSequence> alone = new ArrayList<>();
    for (Example e : examples) {
      int n = e.length() - 1;
      float[] w = new float[n];
      for (int i = 0; i < n; i++) {
        w[i] = e.loss()[i + 1] ? 1f / e.lossTokens() : 0f;
      }
      int[] pos = new int[n];
      for (int i = 0; i < n; i++) {
        pos[i] = i;
      }
      alone.add(new TrainingSequence(Arrays.copyOf(e.tokens(), n), Arrays.copyOfRange(e.tokens(), 1, n + 1), w, pos, null));
    }
    Parameters aloneGrads = model.parameters().zerosLike();
    double aloneLoss = 0;
    for (TrainingSequence s : BatchWeights.normalise(alone)) {
      aloneLoss += model.lossAndGradients(s, aloneGrads);
    }
    assertEquals(aloneLoss, packedLoss, 1e-5 * Math.abs(aloneLoss), "loss");
    Parameters.Difference d = aloneGrads.maxScaledDifference(packedGrads);
    assertTrue(d.value() <= 1e-5, "gradients: " + d);
  }

  @Test
  void anExampleLongerThanTheSequenceKeepsItsEnd() {
    Example longOne = CHAT.format("long", List.of("x".repeat(300), "The answer."), null);
    PackedStream packed = new PackedStream(new ShuffledExamples("long", List.of(longOne), 1), 64, BYTES.pad(), LossWeighting.PER_TOKEN);
    TrainingSequence seq = packed.next();
    assertEquals(BYTES.eos(), seq.targets()[63], "the end (answer and EOS) is kept");
    assertEquals(1, packed.truncated());
    assertArrayEquals(Arrays.copyOfRange(longOne.tokens(), longOne.length() - 65, longOne.length() - 1), seq.tokens());
  }
}

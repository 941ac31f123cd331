package io.worldring.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.generate.Generator;
import io.worldring.model.train.TrainingSequence;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The vision tables of LWM's stage II: which table and head each position uses, and every entry point. */
class VisionModelTest {
  static final ModelConfig TEXT = new ModelConfig(32, 2, 4, 2, 48, 40, 1e-5, 10_000, 64, false);
  static final ModelConfig VISION = TEXT.withVisionVocab(11);

  /** text, a vision span of 8 codes, text: "<vision> c c c c c c c c </vision> ..." */
  static TrainingSequence mixed() {
    int[] ids = new int[17];
    boolean[] vision = new boolean[17];
    for (int i = 0; i < ids.length; i++) {
      vision[i] = i >= 4 && i < 12;
      ids[i] = vision[i] ? (i * 5) % 11 : (i * 7 + 1) % 40;
    }
    return TrainingSequence.causal(ids, vision);
  }

  static int[] bits(INDArray a) {
    float[] v = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.floatToRawIntBits(v[i]);
    }
    return out;
  }

  @Test
  void theCausalWindowGivesTargetsTheNextTokensKind() {
    TrainingSequence s = mixed();
    for (int i = 0; i < s.length(); i++) {
      assertEquals(i >= 4 && i < 12, s.visionInput(i), "input " + i);
      assertEquals(i >= 3 && i < 11, s.visionTarget(i), "target " + i);
    }
    assertTrue(s.hasVision());
    TrainingSequence text = TrainingSequence.causal(new int[] {1, 2, 3});
    assertTrue(!text.hasVision() && text.visionInputs() == null && text.visionTargets() == null);
    assertThrows(IllegalArgumentException.class, () -> s.withVision(new boolean[3], null), "mask length");
  }

  @Test
  void visionTablesLeaveTheTextWeightsAndTextResultsUntouched() {
    Parameters text = ParameterLayout.initialize(TEXT, 9, DataType.FLOAT);
    Parameters vision = ParameterLayout.initialize(VISION, 9, DataType.FLOAT);
    for (String name : text.names()) {
      assertArrayEquals(bits(text.get(name)), bits(vision.get(name)), name);
    }
    assertEquals(text.size() + 2, vision.size());
    // Adding the tables to a text checkpoint gives exactly a fresh vision model's.
    Parameters extended = ParameterLayout.addVisionTables(VISION, text, 9);
    assertEquals(vision.names(), extended.names());
    for (String name : vision.names()) {
      assertArrayEquals(bits(vision.get(name)), bits(extended.get(name)), name);
    }
    assertThrows(BadInputException.class, () -> ParameterLayout.addVisionTables(VISION, vision, 9), "already has them");

    TrainingSequence seq = TrainingSequence.causal(new int[] {3, 1, 4, 1, 5, 9, 2, 6, 5, 3});
    Parameters textGrads = text.zerosLike();
    Parameters visionGrads = vision.zerosLike();
    double textLoss = new LlamaModel(TEXT, text).lossAndGradients(seq, textGrads);
    double visionLoss = new LlamaModel(VISION, vision).lossAndGradients(seq, visionGrads);
    assertEquals(Double.doubleToRawLongBits(textLoss), Double.doubleToRawLongBits(visionLoss), "loss bits");
    for (String name : text.names()) {
      assertArrayEquals(bits(textGrads.get(name)), bits(visionGrads.get(name)), name);
    }
    assertEquals(0.0, visionGrads.get(ParameterNames.VISION_EMBED_TOKENS).norm2Number().doubleValue());
    assertEquals(0.0, visionGrads.get(ParameterNames.VISION_HEAD).norm2Number().doubleValue());
  }

  @Test
  void theMaskPicksTheEmbeddingRowAndTheHead() {
    Parameters p = ParameterLayout.initialize(VISION, 3, DataType.FLOAT);
    LlamaModel model = new LlamaModel(VISION, p);
    TrainingSequence s = mixed();
    INDArray x = model.embedding().forward(s.tokens(), s.visionInputs()); // [tokens, dim]
    for (int i = 0; i < s.length(); i++) {
      INDArray table = p.get(s.visionInput(i) ? ParameterNames.VISION_EMBED_TOKENS : ParameterNames.EMBED_TOKENS);
      assertArrayEquals(bits(table.getRow(s.tokens()[i])), bits(x.getRow(i)), "row " + i);
    }
    // The loss splits exactly into the text targets' and the vision targets' parts.
    float[] textOnly = s.weights().clone();
    float[] visionOnly = s.weights().clone();
    for (int i = 0; i < s.length(); i++) {
      (s.visionTarget(i) ? textOnly : visionOnly)[i] = 0;
    }
    double whole = model.loss(s);
    double parts = model.loss(s.withWeights(textOnly)) + model.loss(s.withWeights(visionOnly));
    assertEquals(whole, parts, 1e-5 * Math.abs(whole));
    // The vision part is the vision head's cross-entropy: check one position by hand.
    int row = 6; // target: a vision code
    float[] only = new float[s.length()];
    only[row] = 1;
    INDArray logits = model.logits(s.tokens(), s.visionInputs(), Modality.VISION).getRow(row); // [visionVocab]
    double max = logits.maxNumber().doubleValue();
    double logSum = Math.log(org.nd4j.linalg.ops.transforms.Transforms.exp(logits.sub(max), false).sumNumber().doubleValue()) + max;
    assertEquals(logSum - logits.getDouble(s.targets()[row]), model.loss(s.withWeights(only)), 1e-4);
  }

  @Test
  void visionLogitsFromEveryEntryPointAgree() {
    LlamaModel model = new LlamaModel(VISION, ParameterLayout.initialize(VISION, 4, DataType.FLOAT),
        new LlamaModel.ComputeOptions(5, false, 4));
    TrainingSequence s = mixed();
    int last = 8; // inside the span: its target is a vision code
    int[] prefix = java.util.Arrays.copyOf(s.tokens(), last + 1);
    boolean[] prefixVision = java.util.Arrays.copyOf(s.visionInputs(), last + 1);
    INDArray full = model.logits(prefix, prefixVision, Modality.VISION).getRow(last); // [visionVocab]
    assertEquals(11, full.length());
    assertEquals(40, model.logits(prefix, prefixVision, Modality.TEXT).getRow(last).length());

    INDArray generated = new Generator(model, 32).feed(prefix, prefixVision, Modality.VISION); // prefilled in chunks of 5
    assertArrayEquals(full.toFloatVector(), generated.toFloatVector(), 1e-5f);

    // A forward-only shard answers with the head its target asks for: vision where visionTargets is set.
    TrainingSequence asked = new TrainingSequence(prefix, new int[last + 1], new float[last + 1], java.util.Arrays.copyOf(s.positions(), last + 1),
        null, prefixVision, java.util.Arrays.copyOf(s.visionTargets(), last + 1));
    assertArrayEquals(full.toFloatVector(), forwardOnlyLogits(model, asked, last, null), 1e-5f);
    assertArrayEquals(model.logits(prefix, prefixVision, Modality.TEXT).getRow(last).toFloatVector(),
        forwardOnlyLogits(model, asked, last, Modality.TEXT), 1e-5f);
  }

  static float[] forwardOnlyLogits(LlamaModel model, TrainingSequence seq, int row, Modality head) {
    ShardComputation shard = new ShardComputation(model, seq, model.parameters().zerosLike(), true);
    for (int l = 0; l < shard.layers(); l++) {
      ShardComputation.KeyValue own = shard.beginLayer();
      shard.attend(0, own.tokens(), own.k(), own.v());
      shard.endLayer();
    }
    return head == null ? shard.logits(row) : shard.logits(row, head);
  }

  @Test
  void visionPositionsNeedVisionTablesAndCodesInRange() {
    LlamaModel text = new LlamaModel(TEXT, ParameterLayout.initialize(TEXT, 1, DataType.FLOAT));
    BadInputException e = assertThrows(BadInputException.class, () -> text.loss(mixed()));
    assertTrue(e.getMessage().contains("vision-vocab-size 0"), e.getMessage());
    assertThrows(BadInputException.class, () -> text.logits(new int[] {1}, null, Modality.VISION));
    LlamaModel vision = new LlamaModel(VISION, ParameterLayout.initialize(VISION, 1, DataType.FLOAT));
    TrainingSequence bad = TrainingSequence.causal(new int[] {1, 30, 2}, new boolean[] {false, true, false});
    IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> vision.loss(bad));
    assertTrue(range.getMessage().contains("outside the vision vocabulary of 11"), range.getMessage());
  }

  @Test
  void configCountsAndValidatesTheVisionVocabulary() {
    assertEquals(0, TEXT.visionVocabSize());
    assertEquals(TEXT.parameterCount() + 2L * 11 * 32, VISION.parameterCount());
    assertEquals(VISION, VISION.withRopeTheta(5e4).withMaxSeqLen(128).withRopeTheta(10_000).withMaxSeqLen(64));
    assertEquals(11, VISION.withVocabSize(50).visionVocabSize());
    assertEquals(TEXT, VISION.withVisionVocab(0));
    assertThrows(BadInputException.class, () -> TEXT.withVisionVocab(-1));
    assertEquals(VISION.parameterCount(), ParameterLayout.initialize(VISION, 1, DataType.FLOAT).elementCount());
  }
}

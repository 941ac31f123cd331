package io.worldring.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.worldring.actors.driver.StepOutcome;
import io.worldring.model.Modality;
import io.worldring.model.ParameterNames;
import io.worldring.model.Parameters;
import io.worldring.model.io.Checkpoint;
import io.worldring.model.train.BatchWeights;
import io.worldring.model.train.SingleDeviceTrainer;
import io.worldring.model.train.StepResult;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.SequenceLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LWM stage II on the ring: packed sequences with vision spans (read through the vision embedding,
 * predicted by the vision head) train on N device actors exactly like on one device, with the tolerance of
 * {@link RingTrainingTest}: the loss and every gradient of a step (the vision tables included), a few
 * optimizer steps, and the vision logits the ring returns for inference.
 */
class RingVisionTest {
  static final double TOLERANCE = RingTrainingTest.TOLERANCE;
  static final int STEPS = 5;
  static final int LENGTH = 48;

  static Stream<Arguments> rings() {
    return Stream.of(1, 2, 4).flatMap(n -> Stream.of(Arguments.of(n, SequenceLayout.CONTIGUOUS), Arguments.of(n, SequenceLayout.ZIGZAG)));
  }

  @ParameterizedTest(name = "n={0} {1}")
  @MethodSource("rings")
  void ringTrainsVisionLikeOneDevice(int n, SequenceLayout layout, @TempDir Path dir) {
    var spec = RingFixtures.spec(RingFixtures.VISION_CONFIG, 3);
    var single = spec.build();
    SingleDeviceTrainer reference = new SingleDeviceTrainer(single.model(), single.optimizer());
    try (Ring ring = LocalRing.start(n, layout, spec, ConfigFactory.empty())) {
      List<TrainingSequence> first = RingFixtures.visionBatch(2, LENGTH, 100);
      StepOutcome probe = ring.step(0, first, 0, false, true);
      Parameters refGrads = single.model().parameters().zerosLike();
      double refLoss = 0;
      for (TrainingSequence s : BatchWeights.normalise(first)) {
        refLoss += single.model().lossAndGradients(s, refGrads);
      }
      double lossDiff = Math.abs(refLoss - probe.loss()) / Math.abs(refLoss);
      assertTrue(lossDiff <= TOLERANCE, "loss of one step: " + refLoss + " vs " + probe.loss());
      Parameters.Difference grads = refGrads.maxScaledDifference(probe.gradients());
      assertTrue(grads.value() <= TOLERANCE, "gradients of one step: " + grads);
      for (String table : new String[] {ParameterNames.VISION_EMBED_TOKENS, ParameterNames.VISION_HEAD}) {
        assertTrue(probe.gradients().get(table).norm2Number().doubleValue() > 0, table + " is trained");
      }

      double worstStepLoss = 0;
      for (int step = 0; step < STEPS; step++) {
        List<TrainingSequence> batch = RingFixtures.visionBatch(2, LENGTH, 200 + step);
        StepResult r = reference.step(batch);
        StepOutcome o = ring.step(step, batch, r.learningRate(), true, false);
        assertEquals(r.loss(), o.loss(), Math.abs(r.loss()) * TOLERANCE, "loss at step " + step);
        assertEquals(r.gradNorm(), o.gradNorm(), r.gradNorm() * TOLERANCE, "gradient norm at step " + step);
        worstStepLoss = Math.max(worstStepLoss, Math.abs(r.loss() - o.loss()) / Math.abs(r.loss()));
      }
      ring.saveCheckpoint(dir.resolve("ring").toString(), STEPS, "{}");
      Checkpoint.Loaded saved = Checkpoint.load(dir.resolve("ring"), DataType.FLOAT);
      assertEquals(RingFixtures.VISION_CONFIG, saved.config(), "the ring's checkpoint records the vision vocabulary");
      Parameters.Difference params = single.model().parameters().maxScaledDifference(saved.weights());
      assertTrue(params.value() <= TOLERANCE, "parameters after " + STEPS + " steps: " + params);

      // Inference: a position whose target is marked vision gets the vision head's logits from the ring.
      TrainingSequence seq = RingFixtures.visionBatch(1, LENGTH, 300).get(0);
      int row = firstVisionTarget(seq);
      float[] ringLogits = ring.logits(List.of(seq), new int[] {row})[0];
      int[] prefix = Arrays.copyOf(seq.tokens(), row + 1);
      boolean[] prefixVision = Arrays.copyOf(seq.visionInputs(), row + 1);
      INDArray want = single.model().logits(prefix, prefixVision, Modality.VISION).getRow(row); // [visionVocab]
      assertEquals(RingFixtures.VISION_CONFIG.visionVocabSize(), ringLogits.length);
      assertArrayEquals(want.toFloatVector(), ringLogits, 1e-4f, "vision logits of the ring");

      System.out.printf("vision ring n=%d %s: one-step loss %.2e, gradients %.2e; %d-step losses %.2e, parameters %.2e"
          + " (max relative / scaled difference)%n", n, layout.key(), lossDiff, grads.value(), STEPS, worstStepLoss, params.value());
    }
  }

  /** The first target of the first example that is a vision code (so its prefix starts at position 0). */
  static int firstVisionTarget(TrainingSequence seq) {
    for (int i = 0; i < seq.length(); i++) {
      if (seq.visionTarget(i)) {
        assertEquals(i, seq.positions()[i], "inside the first example");
        return i;
      }
    }
    throw new AssertionError("no vision target");
  }
}

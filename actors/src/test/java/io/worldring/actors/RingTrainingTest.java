package io.worldring.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.worldring.actors.driver.StepOutcome;
import io.worldring.model.Parameters;
import io.worldring.model.io.Checkpoint;
import io.worldring.model.train.BatchWeights;
import io.worldring.model.train.SingleDeviceTrainer;
import io.worldring.model.train.StepResult;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.SequenceLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * N device actors exchanging blocks as messages train exactly like one device: the loss and every
 * parameter gradient of a step, and the parameters after 20 optimizer steps, agree within 1e-4
 * (relative to each tensor's largest entry; fp32).
 */
class RingTrainingTest {
  static final double TOLERANCE = 1e-4;
  static final int STEPS = 20;
  static final int LENGTH = 48;

  /** The contiguous layout here; the zigzag layout in {@link RingTrainingZigzagTest}, so that two test JVMs share the work. */
  static Stream<Arguments> rings() {
    return Stream.of(1, 2, 3, 4, 8).map(n -> Arguments.of(n, SequenceLayout.CONTIGUOUS));
  }

  @ParameterizedTest(name = "n={0} {1}")
  @MethodSource("rings")
  void ringTrainsLikeOneDevice(int n, SequenceLayout layout, @TempDir Path dir) {
    check(n, layout, dir);
  }

  static void check(int n, SequenceLayout layout, Path dir) {
    var spec = RingFixtures.spec(3);
    var single = spec.build();
    SingleDeviceTrainer reference = new SingleDeviceTrainer(single.model(), single.optimizer());
    try (Ring ring = LocalRing.start(n, layout, spec, ConfigFactory.empty())) {
      // One step, gradients compared before anything is applied.
      List<TrainingSequence> first = RingFixtures.batch(2, LENGTH, true, 100);
      StepOutcome probe = ring.step(0, first, 0, false, true);
      Parameters refGrads = single.model().parameters().zerosLike();
      double refLoss = 0;
      for (TrainingSequence s : BatchWeights.normalise(first)) {
        refLoss += single.model().lossAndGradients(s, refGrads);
      }
      assertEquals(refLoss, probe.loss(), Math.abs(refLoss) * TOLERANCE, "loss of one step");
      Parameters.Difference grads = refGrads.maxScaledDifference(probe.gradients());
      assertTrue(grads.value() <= TOLERANCE, "gradients of one step: " + grads);

      // Twenty optimizer steps on both.
      for (int step = 0; step < STEPS; step++) {
        List<TrainingSequence> batch = RingFixtures.batch(2, LENGTH, step % 2 == 0, 200 + step);
        StepResult r = reference.step(batch);
        StepOutcome o = ring.step(step, batch, r.learningRate(), true, false);
        assertEquals(r.loss(), o.loss(), Math.abs(r.loss()) * TOLERANCE, "loss at step " + step);
        assertEquals(r.gradNorm(), o.gradNorm(), r.gradNorm() * TOLERANCE, "gradient norm at step " + step);
      }
      ring.saveCheckpoint(dir.resolve("ring").toString(), STEPS, "{}");
      Parameters ringParams = Checkpoint.load(dir.resolve("ring"), DataType.FLOAT).weights();
      Parameters.Difference params = single.model().parameters().maxScaledDifference(ringParams);
      assertTrue(params.value() <= TOLERANCE, "parameters after " + STEPS + " steps: " + params);
      System.out.printf("ring n=%d %s: one-step gradients %.2e, parameters after %d steps %.2e (max scaled difference)%n",
          n, layout.key(), grads.value(), STEPS, params.value());
    }
  }
}

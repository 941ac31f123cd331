package io.worldring.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import io.worldring.actors.device.DeviceActor;
import io.worldring.actors.device.ModelSpec;
import io.worldring.actors.driver.StepOutcome;
import io.worldring.actors.driver.TrainingDriver;
import io.worldring.model.attention.TokenBlock;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.RingSchedule;
import io.worldring.ring.SequenceLayout;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The vision masks of LWM stage II travel with the sequences: a step's shards, a driver's batch and a vision
 * model's spec round-trip through Pekko's serialization (Kryo, the registrations every node shares).
 */
class ActorWireVisionTest {
  static final ActorTestKit KIT = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local"));

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  static Object roundTrip(Object message) {
    var s = org.apache.pekko.serialization.SerializationExtension.get(KIT.system());
    return s.deserialize(s.serialize(message).get(), message.getClass()).get();
  }

  @Test
  void visionSequencesAndSpecsRoundTrip() {
    TestProbe<TrainingDriver.Command> driver = KIT.createTestProbe();
    TestProbe<StepOutcome> outcome = KIT.createTestProbe();
    TrainingSequence seq = RingFixtures.visionBatch(1, 16, 5).get(0);
    RingSchedule ring = new RingSchedule(2, SequenceLayout.ZIGZAG);
    TrainingSequence shard = ring.shard(seq, 1);
    TrainingSequence text = RingFixtures.batch(1, 8, true, 1).get(0);
    var start = new DeviceActor.StartStep("run", 3, 4, new TrainingSequence[] {shard, text},
        new TokenBlock[][] {ring.blocks(seq), {text.tokenBlock()}}, true, null, driver.ref());
    var s2 = (DeviceActor.StartStep) roundTrip(start);
    assertArrayEquals(shard.tokens(), s2.shards()[0].tokens());
    assertArrayEquals(shard.visionInputs(), s2.shards()[0].visionInputs());
    assertArrayEquals(shard.visionTargets(), s2.shards()[0].visionTargets());
    assertNull(s2.shards()[1].visionInputs(), "a text sequence stays text");
    assertNull(s2.shards()[1].visionTargets());

    var run = (TrainingDriver.RunStep) roundTrip(new TrainingDriver.RunStep(7, new TrainingSequence[] {seq}, 1e-3, true, false, outcome.ref()));
    assertArrayEquals(seq.visionInputs(), run.batch()[0].visionInputs());
    assertArrayEquals(seq.visionTargets(), run.batch()[0].visionTargets());
    assertArrayEquals(seq.weights(), run.batch()[0].weights());

    ModelSpec spec = RingFixtures.spec(RingFixtures.VISION_CONFIG, 3);
    assertEquals(spec, roundTrip(spec));
    assertEquals(19, ((ModelSpec) roundTrip(spec)).model().visionVocabSize());
  }
}

package io.worldring.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.worldring.actors.device.DeviceActor;
import io.worldring.actors.driver.TrainingDriver;
import io.worldring.actors.wire.KryoPekkoSerializer;
import io.worldring.model.attention.TokenBlock;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.GradChunk;
import io.worldring.ring.SequenceLayout;
import io.worldring.ring.TensorPayload;
import io.worldring.ring.WireMessage;
import io.worldring.ring.wire.WireFragment;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Every actor-level wire message round-trips through Pekko's serialization (Kryo); others are refused. */
class ActorWireMessagesTest {
  static final ActorTestKit KIT = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local"));

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  static Object roundTrip(Object message) {
    Serialization s = SerializationExtension.get(KIT.system());
    assertInstanceOf(KryoPekkoSerializer.class, s.findSerializerFor(message), message.getClass().getSimpleName());
    byte[] bytes = s.serialize(message).get();
    return s.deserialize(bytes, message.getClass()).get();
  }

  @Test
  @SuppressWarnings("unchecked")
  void deviceAndDriverMessagesRoundTrip() {
    TestProbe<DeviceActor.Command> device = KIT.createTestProbe();
    TestProbe<TrainingDriver.Command> driver = KIT.createTestProbe();
    ActorRef<DeviceActor.Command>[] ring = new ActorRef[] {device.ref(), device.ref()};
    var configure = new DeviceActor.Configure("run", 1, ring, SequenceLayout.ZIGZAG, RingFixtures.spec(3), 7, "{\"step\":7}", "", device.ref(),
        driver.ref());
    var c2 = (DeviceActor.Configure) roundTrip(configure);
    assertEquals(configure.spec(), c2.spec());
    assertEquals(device.ref(), c2.ring()[1]);
    assertEquals(driver.ref(), c2.replyTo());
    assertEquals(device.ref(), c2.syncFrom());
    assertEquals(7, c2.startStep());

    TrainingSequence seq = RingFixtures.batch(1, 8, true, 1).get(0);
    var start = new DeviceActor.StartStep("run", 3, 4, new TrainingSequence[] {seq},
        new TokenBlock[][] {{seq.tokenBlock()}}, true, new int[] {3}, driver.ref());
    var s2 = (DeviceActor.StartStep) roundTrip(start);
    assertArrayEquals(seq.tokens(), s2.shards()[0].tokens());
    assertArrayEquals(seq.segments(), s2.shards()[0].segments());
    assertEquals(seq.tokenBlock(), s2.blocks()[0][0]);

    var chunk = new GradChunk("run", 4, 0, 1, 2, TensorPayload.of(Nd4j.linspace(DataType.FLOAT, 1, 10, 10)));
    var d2 = (DeviceActor.Deliver) roundTrip(new DeviceActor.Deliver(chunk));
    assertEquals(chunk.values().array(), ((GradChunk) d2.message()).values().array());
    var b2 = (DeviceActor.DeliverBytes) roundTrip(new DeviceActor.DeliverBytes(3, new byte[] {1, 2}));
    assertArrayEquals(new byte[] {1, 2}, b2.message());
    var f2 = (DeviceActor.DeliverFragment) roundTrip(new DeviceActor.DeliverFragment(3, new WireFragment(1, 0, 1, 2, new byte[] {7, 8})));
    assertArrayEquals(new byte[] {7, 8}, f2.fragment().bytes());

    for (Object m : List.of(new DeviceActor.Commit("run", 4, 3, 1e-3, "{}", driver.ref()), new DeviceActor.Discard("run", 4),
        new DeviceActor.Probe("run", driver.ref()), new DeviceActor.SendReplica("run", device.ref()),
        new DeviceActor.Shutdown("run"),
        new TrainingDriver.Probed(device.ref(), RingFixtures.spec(3), 5, "{}"),
        new TrainingDriver.DeviceTerminated(device.ref()), new TrainingDriver.Timeout(3),
        new DeviceActor.SaveCheckpoint("run", "dir", 4, "{}", driver.ref()),
        new TrainingDriver.DeviceReady("run", 1, "abc", true, 5), new TrainingDriver.Applied("run", 1, 4, 0.5),
        new TrainingDriver.CheckpointSaved("run", 4, "dir", null), new TrainingDriver.DeviceFailed("run", 1, 4, "boom"))) {
      assertEquals(m, roundTrip(m));
    }
    var fragment = new DeviceActor.ReplicaFragment("run", 1, 3, new WireFragment(1, 0, 1, 2, new byte[] {7, 8}));
    assertArrayEquals(new byte[] {7, 8}, ((DeviceActor.ReplicaFragment) roundTrip(fragment)).fragment().bytes());
    var reduced = new TrainingDriver.StepReduced("run", 1, 4, 2.5, 100, 50, 200, 0, new String[] {"w"},
        new TensorPayload[] {TensorPayload.of(Nd4j.ones(DataType.FLOAT, 2, 2))}, new float[][] {{1f, 2f}, null}, 0.75);
    var r2 = (TrainingDriver.StepReduced) roundTrip(reduced);
    assertEquals(2.5, r2.lossSum());
    assertEquals(0.75, r2.overlapRatio());
    assertEquals(Nd4j.ones(DataType.FLOAT, 2, 2), r2.gradientValues()[0].array());
    assertArrayEquals(new float[] {1f, 2f}, r2.logits()[0]);
    assertArrayEquals(new int[] {3}, s2.logitRows());
  }

  record Unregistered(int x) implements WireMessage {}

  record NotWire(int x) {}

  @Test
  void unregisteredAndNonWireClassesAreRefused() {
    Serialization s = SerializationExtension.get(KIT.system());
    Exception unregistered = assertThrows(Exception.class, () -> s.serialize(new Unregistered(1)).get());
    assertTrue(String.valueOf(unregistered.getMessage()).contains("Unregistered"), unregistered.getMessage());
    Exception notWire = assertThrows(Exception.class, () -> s.serialize(new NotWire(1)).get(), "Java serialization is off");
    assertTrue(notWire.getMessage().contains("No configured serialization-bindings"), notWire.getMessage());
  }
}

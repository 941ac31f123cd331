package io.worldring.actors;

import com.typesafe.config.ConfigFactory;
import io.worldring.actors.device.DeviceActor;
import io.worldring.actors.driver.TrainingDriver;
import io.worldring.actors.supervisor.RunStatus;
import io.worldring.actors.supervisor.TrainingSupervisor;
import io.worldring.actors.wire.WorldringWire;
import io.worldring.model.attention.TokenBlock;
import io.worldring.model.fuzz.CleanFailure;
import io.worldring.model.fuzz.FuzzCorpus;
import io.worldring.model.fuzz.FuzzSeed;
import io.worldring.model.fuzz.Mutations.Mutant;
import io.worldring.model.fuzz.Mutations;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.SequenceLayout;
import io.worldring.ring.TensorPayload;
import io.worldring.ring.wire.WireFormat;
import io.worldring.ring.wire.WireFragment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The actor layer's wire messages mutated from valid ones (actor paths, strings and arrays of its own
 * registrations included): decoded, or refused with a {@link WireFormat.WireException}.
 */
class ActorWireFuzzTest {
  private static ActorTestKit kit;
  private static List<byte[]> valid;

  @BeforeContainer
  static void start() {
    kit = ActorTestKit.create("wire-fuzz", ConfigFactory.parseString("pekko.actor.provider = local"));
    valid = validMessages(kit, WorldringWire.get(kit.system()).format());
  }

  @AfterContainer
  static void stop() {
    kit.shutdownTestKit();
  }

  @SuppressWarnings("unchecked")
  static List<byte[]> validMessages(ActorTestKit kit, WireFormat format) {
    ActorRef<DeviceActor.Command> device = kit.<DeviceActor.Command>createTestProbe().ref();
    ActorRef<TrainingDriver.Command> driver = kit.<TrainingDriver.Command>createTestProbe().ref();
    TrainingSequence seq = RingFixtures.batch(1, 8, true, 1).get(0);
    Nd4j.getRandom().setSeed(5);
    List<Object> messages = List.of(
        new DeviceActor.Configure("run", 1, new ActorRef[] {device, device}, SequenceLayout.ZIGZAG, RingFixtures.spec(3), 7, "{\"step\":7}",
            "", device, driver),
        new DeviceActor.StartStep("run", 3, 4, new TrainingSequence[] {seq}, new TokenBlock[][] {{seq.tokenBlock()}}, true, new int[] {3}, driver),
        new DeviceActor.DeliverFragment(3, new WireFragment(1, 0, 1, 2, new byte[] {7, 8})),
        new DeviceActor.Commit("run", 4, 3, 1e-3, "{}", driver),
        new DeviceActor.SaveCheckpoint("run", "dir", 4, "{}", driver),
        new TrainingDriver.DeviceFailed("run", 1, 4, "boom"),
        new TrainingDriver.StepReduced("run", 1, 4, 2.5, 100, 50, 200, 0, new String[] {"w", "v"},
            new TensorPayload[] {TensorPayload.of(Nd4j.rand(DataType.FLOAT, 2, 2)), null}, new float[][] {{1f, 2f}, null}, 0.75),
        new TrainingSupervisor.GetStatus(kit.<RunStatus>createTestProbe().ref()));
    List<byte[]> out = new ArrayList<>();
    for (Object m : messages) {
      out.add(format.toBytes(m));
    }
    return out;
  }

  static WireFormat.WireException decode(byte[] message) {
    WireFormat format = WorldringWire.get(kit.system()).format();
    return CleanFailure.check(WireFormat.WireException.class, null, (4L << 20) + 32L * message.length, () -> format.fromBytes(message));
  }

  @Property(tries = 500, seed = FuzzSeed.VALUE)
  void mutatedActorMessagesAreDecodedOrRefused(@ForAll("messages") Mutant m) {
    if (decode(m.bytes()) != null) {
      FuzzCorpus.keep("actor-wire", Integer.toHexString(Arrays.hashCode(m.bytes())) + ".bin", m);
    }
  }

  @Provide
  Arbitrary<Mutant> messages() {
    return Arbitraries.integers().between(0, valid.size() - 1).flatMap(i -> Mutations.bytes(valid.get(i), 16)
        .map(m -> new Mutant(m.bytes(), "message " + i + ": " + m.how())));
  }
}

package io.worldring.actors.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.RecordSerializer;
import io.worldring.actors.device.DeviceActor;
import io.worldring.actors.device.ModelSpec;
import io.worldring.actors.device.ReplicaTransfer;
import io.worldring.actors.driver.TrainingDriver;
import io.worldring.model.ModelConfig;
import io.worldring.model.attention.TokenBlock;
import io.worldring.model.train.OptimizerConfig;
import io.worldring.ring.TensorPayload;
import io.worldring.ring.wire.WireFormat;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;

/**
 * The actor layer's wire classes, ids from {@link WireFormat#FIRST_EXTENSION_ID}. Ids are part of the
 * wire format shared by every node: never renumber, only append.
 */
public final class ActorWireRegistrations {
  private ActorWireRegistrations() {}

  public static Consumer<Kryo> with(ActorRefResolver resolver) {
    return kryo -> register(kryo, resolver);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static void register(Kryo kryo, ActorRefResolver resolver) {
    ActorRefSerializer refs = new ActorRefSerializer(resolver);
    try {
      kryo.register(Class.forName("org.apache.pekko.actor.typed.internal.adapter.ActorRefAdapter"), (com.esotericsoftware.kryo.Serializer) refs, 100);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("Pekko's typed ActorRef implementation moved", e);
    }
    WireFormat.registerArray(kryo, ActorRef[].class, 101);
    WireFormat.registerArray(kryo, String[].class, 102);
    WireFormat.registerArray(kryo, TensorPayload[].class, 103);
    WireFormat.registerArray(kryo, TokenBlock[][].class, 104);
    WireFormat.registerArray(kryo, float[][].class, 105);
    kryo.register(ModelConfig.class, new RecordSerializer<>(), 110);
    kryo.register(OptimizerConfig.class, new RecordSerializer<>(), 111);
    kryo.register(ModelSpec.class, new RecordSerializer<>(), 112);
    kryo.register(DeviceActor.Configure.class, new RecordSerializer<>(), 120);
    kryo.register(DeviceActor.StartStep.class, new RecordSerializer<>(), 121);
    kryo.register(DeviceActor.Deliver.class, new RecordSerializer<>(), 122);
    kryo.register(DeviceActor.DeliverBytes.class, new RecordSerializer<>(), 123);
    kryo.register(DeviceActor.DeliverFragment.class, new RecordSerializer<>(), 124);
    kryo.register(DeviceActor.Commit.class, new RecordSerializer<>(), 125);
    kryo.register(DeviceActor.Discard.class, new RecordSerializer<>(), 126);
    kryo.register(DeviceActor.SaveCheckpoint.class, new RecordSerializer<>(), 127);
    kryo.register(DeviceActor.Shutdown.class, new RecordSerializer<>(), 128);
    kryo.register(TrainingDriver.FormRing.class, new RecordSerializer<>(), 140);
    kryo.register(TrainingDriver.RunStep.class, new RecordSerializer<>(), 141);
    kryo.register(TrainingDriver.SaveCheckpoint.class, new RecordSerializer<>(), 142);
    kryo.register(TrainingDriver.DeviceReady.class, new RecordSerializer<>(), 143);
    kryo.register(TrainingDriver.StepReduced.class, new RecordSerializer<>(), 144);
    kryo.register(TrainingDriver.Applied.class, new RecordSerializer<>(), 145);
    kryo.register(TrainingDriver.CheckpointSaved.class, new RecordSerializer<>(), 146);
    kryo.register(TrainingDriver.DeviceFailed.class, new RecordSerializer<>(), 147);
    kryo.register(DeviceActor.Probe.class, new RecordSerializer<>(), 129);
    kryo.register(DeviceActor.SendReplica.class, new RecordSerializer<>(), 130);
    kryo.register(DeviceActor.ReplicaFragment.class, new RecordSerializer<>(), 131);
    kryo.register(ReplicaTransfer.Header.class, new RecordSerializer<>(), 132);
    kryo.register(ReplicaTransfer.Tensor.class, new RecordSerializer<>(), 133);
    kryo.register(TrainingDriver.Probed.class, new RecordSerializer<>(), 148);
    kryo.register(TrainingDriver.DeviceTerminated.class, new RecordSerializer<>(), 149);
    kryo.register(TrainingDriver.Timeout.class, new RecordSerializer<>(), 150);
    kryo.register(io.worldring.actors.supervisor.TrainingSupervisor.GetStatus.class, new RecordSerializer<>(), 160);
    kryo.register(io.worldring.actors.supervisor.RunStatus.class, new RecordSerializer<>(), 161);
  }
}

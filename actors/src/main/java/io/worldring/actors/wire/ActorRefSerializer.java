package io.worldring.actors.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;

/** Actor references as Pekko's own serialization format (a path with address), resolved on arrival. */
final class ActorRefSerializer extends Serializer<ActorRef<?>> {
  private final ActorRefResolver resolver;

  ActorRefSerializer(ActorRefResolver resolver) {
    this.resolver = resolver;
    setAcceptsNull(true);
  }

  @Override
  public void write(Kryo kryo, Output output, ActorRef<?> ref) {
    output.writeString(ref == null ? null : resolver.toSerializationFormat(ref));
  }

  @Override
  public ActorRef<?> read(Kryo kryo, Input input, Class<? extends ActorRef<?>> type) {
    String path = input.readString();
    return path == null ? null : resolver.resolveActorRef(path);
  }
}

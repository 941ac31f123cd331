package io.worldring.actors.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;

/**
 * Actor references as Pekko's own serialization format (a path with address), resolved on arrival. The path
 * goes through the registered (length-checked) String serializer.
 */
final class ActorRefSerializer extends Serializer<ActorRef<?>> {
  private final ActorRefResolver resolver;

  ActorRefSerializer(ActorRefResolver resolver) {
    this.resolver = resolver;
    setAcceptsNull(true);
  }

  @Override
  public void write(Kryo kryo, Output output, ActorRef<?> ref) {
    kryo.writeObjectOrNull(output, ref == null ? null : resolver.toSerializationFormat(ref), String.class);
  }

  @Override
  public ActorRef<?> read(Kryo kryo, Input input, Class<? extends ActorRef<?>> type) {
    String path = kryo.readObjectOrNull(input, String.class);
    return path == null ? null : resolver.resolveActorRef(path);
  }
}

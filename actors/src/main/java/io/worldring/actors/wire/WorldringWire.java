package io.worldring.actors.wire;

import io.worldring.ring.wire.WireFormat;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/** The wire format and settings of one ActorSystem, shared by its serializer and its devices. */
public final class WorldringWire implements Extension {
  private final WireSettings settings;
  private final WireFormat format;

  private WorldringWire(ActorSystem<?> system) {
    this.settings = WireSettings.from(system.settings().config());
    this.format = new WireFormat(settings.fp32Transport(), settings.maxMessageBytes(),
        List.of(ActorWireRegistrations.with(ActorRefResolver.get(system))));
  }

  public WireSettings settings() {
    return settings;
  }

  public WireFormat format() {
    return format;
  }

  public static WorldringWire get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  static final class Id extends ExtensionId<WorldringWire> {
    static final Id INSTANCE = new Id();

    @Override
    public WorldringWire createExtension(ActorSystem<?> system) {
      return new WorldringWire(system);
    }
  }
}

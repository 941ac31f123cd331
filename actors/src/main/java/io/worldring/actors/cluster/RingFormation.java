package io.worldring.actors.cluster;

import io.worldring.actors.device.DeviceActor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Waits until the cluster's Receptionist lists the expected number of devices, then replies with them
 * in ring order (this node's devices first, then by node address and name, so every formation of the
 * same cluster gives the same ring) and stops.
 */
public final class RingFormation extends AbstractBehavior<RingFormation.Command> {
  public sealed interface Command {}

  /** Asks for the ring once enough devices are registered. */
  public record Await(ActorRef<Formed> replyTo) implements Command {}

  /** The devices of the ring, in ring order. */
  public record Formed(List<ActorRef<DeviceActor.Command>> devices) {}

  private record Listing(Receptionist.Listing listing) implements Command {}

  private final int expected;
  private ActorRef<Formed> replyTo;
  private List<ActorRef<DeviceActor.Command>> ready;

  public static Behavior<Command> create(int expected) {
    return Behaviors.setup(ctx -> new RingFormation(ctx, expected));
  }

  private RingFormation(ActorContext<Command> context, int expected) {
    super(context);
    this.expected = expected;
    ActorRef<Receptionist.Listing> adapter = context.messageAdapter(Receptionist.Listing.class, Listing::new);
    context.getSystem().receptionist().tell(Receptionist.subscribe(DeviceActor.SERVICE_KEY, adapter));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Await.class, this::onAwait)
        .onMessage(Listing.class, this::onListing)
        .build();
  }

  private Behavior<Command> onAwait(Await a) {
    replyTo = a.replyTo();
    return replyIfReady();
  }

  private Behavior<Command> onListing(Listing l) {
    List<ActorRef<DeviceActor.Command>> devices = new ArrayList<>(l.listing().getServiceInstances(DeviceActor.SERVICE_KEY));
    getContext().getLog().info("{} of {} devices registered", devices.size(), expected);
    if (devices.size() < expected) {
      return this;
    }
    Address self = Cluster.get(getContext().getSystem()).selfMember().address();
    devices.sort(Comparator.<ActorRef<DeviceActor.Command>, Boolean>comparing(d -> !isLocal(d, self))
        .thenComparing(d -> d.path().address().toString())
        .thenComparing(d -> d.path().name()));
    ready = List.copyOf(devices.subList(0, expected));
    return replyIfReady();
  }

  private Behavior<Command> replyIfReady() {
    if (ready == null || replyTo == null) {
      return this;
    }
    replyTo.tell(new Formed(ready));
    return Behaviors.stopped();
  }

  private static boolean isLocal(ActorRef<?> ref, Address self) {
    Address a = ref.path().address();
    return a.hasLocalScope() || a.equals(self);
  }
}

package io.worldring.actors.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.worldring.actors.Ring;
import io.worldring.actors.RingClient;
import io.worldring.actors.device.DeviceActor;
import io.worldring.actors.device.ModelSpec;
import io.worldring.actors.driver.TrainingDriver;
import io.worldring.model.BadInputException;
import io.worldring.ring.SequenceLayout;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * One JVM of a worldring cluster: an ActorSystem joined to the cluster over Artery TCP, contributing its
 * device actors (registered with the Receptionist). The node that hosts the driver forms the ring from
 * every registered device.
 */
public final class ClusterNode implements AutoCloseable {
  public static final String SYSTEM_NAME = "worldring";

  /**
   * Where this node listens and whom it joins.
   *
   * @param host address to bind and advertise (127.0.0.1 unless configured)
   * @param port Artery port (0: any free port)
   * @param seeds seed nodes as host:port; this node's own address for the first node
   * @param devices device actors this node contributes
   */
  public record Settings(String host, int port, List<String> seeds, int devices) {
    public Settings {
      if (devices < 0) {
        throw new BadInputException("--devices must be >= 0, got " + devices);
      }
      for (String s : seeds) {
        if (!s.matches("[^:]+:\\d{1,5}")) {
          throw new BadInputException("seed '" + s + "' must be HOST:PORT");
        }
      }
    }
  }

  private final ActorSystem<Void> system;

  private ClusterNode(ActorSystem<Void> system) {
    this.system = system;
  }

  /** The cluster configuration for {@code settings} over the given base config. */
  public static Config config(Settings s, Config base) {
    List<String> seeds = s.seeds().stream().map(a -> "pekko://" + SYSTEM_NAME + "@" + a).toList();
    return ConfigFactory.empty()
        .withValue("pekko.actor.provider", ConfigValueFactory.fromAnyRef("cluster"))
        .withValue("pekko.remote.artery.transport", ConfigValueFactory.fromAnyRef("tcp"))
        .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(s.host()))
        .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(s.port()))
        .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds))
        .withFallback(base)
        .withFallback(ConfigFactory.load());
  }

  /** Starts the node and its devices. */
  public static ClusterNode start(Settings settings, Config base) {
    Config config = config(settings, base);
    io.worldring.actors.DeviceThreads.configure(config, settings.devices());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
      for (int i = 0; i < settings.devices(); i++) {
        ActorRef<DeviceActor.Command> device = ctx.spawn(DeviceActor.create(), "device-" + i,
            DispatcherSelector.fromConfig("worldring.device-dispatcher"));
        ctx.getSystem().receptionist().tell(Receptionist.register(DeviceActor.SERVICE_KEY, device));
      }
      return Behaviors.empty();
    }), SYSTEM_NAME, config);
    return new ClusterNode(system);
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /**
   * Waits for {@code expected} devices across the cluster, then forms a ring with a driver on this node.
   * Closing the ring shuts every node of it down.
   */
  public Ring formRing(int expected, SequenceLayout layout, ModelSpec spec, Duration wait) {
    ActorRef<RingFormation.Command> formation = system.systemActorOf(RingFormation.create(expected), "ring-formation", Props.empty());
    CompletionStage<RingFormation.Formed> formed = AskPattern.ask(formation, RingFormation.Await::new, wait, system.scheduler());
    List<ActorRef<DeviceActor.Command>> devices;
    try {
      devices = formed.toCompletableFuture().get(wait.toMillis(), TimeUnit.MILLISECONDS).devices();
    } catch (Exception e) {
      throw new BadInputException("fewer than " + expected + " devices joined the cluster within " + wait.toSeconds() + " s");
    }
    ActorRef<TrainingDriver.Command> driver = system.systemActorOf(TrainingDriver.create(), "driver", Props.empty());
    @SuppressWarnings("unchecked")
    ActorRef<DeviceActor.Command>[] ring = devices.toArray(new ActorRef[0]);
    String runId = "run-" + UUID.randomUUID();
    return RingClient.form(system, driver, runId, ring, layout, spec, () -> {
      for (ActorRef<DeviceActor.Command> d : ring) {
        if (!d.path().address().hasLocalScope()) { // this node's own devices end with it
          d.tell(new DeviceActor.Shutdown(runId));
        }
      }
    });
  }

  /** Blocks until this node's system has terminated (after a ring shut it down, or {@link #close}). */
  public void awaitTermination() {
    system.getWhenTerminated().toCompletableFuture().join();
  }

  /** Leaves the cluster, after giving the other nodes (told to shut down) a moment to leave first. */
  @Override
  public void close() {
    org.apache.pekko.cluster.typed.Cluster cluster = org.apache.pekko.cluster.typed.Cluster.get(system);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline && cluster.state().getMembers().spliterator().estimateSize() > 1) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // terminating regardless
    }
  }
}

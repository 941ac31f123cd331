package io.worldring.actors.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.worldring.actors.DeviceThreads;
import io.worldring.actors.device.DeviceActor;
import io.worldring.actors.device.DeviceFaults;
import io.worldring.model.BadInputException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * One JVM of a worldring cluster: an ActorSystem joined to the cluster over Artery TCP (TLS with the
 * {@code secure} profile, its stores checked before the system starts: {@link TlsStores}), contributing its
 * device actors (registered with the Receptionist, where the training supervisor finds them). Membership,
 * failure detection and the Split Brain Resolver are Pekko Cluster's, configured in reference.conf.
 */
public final class ClusterNode implements AutoCloseable {
  public static final String SYSTEM_NAME = "worldring";
  /** Pekko Management's default host: InetAddress.getLocalHost, reachable from other machines. */
  static final String MANAGEMENT_UNCONFIGURED_HOST = "<hostname>";

  /**
   * Where this node listens and whom it joins.
   *
   * @param host address to bind and advertise (127.0.0.1 unless configured)
   * @param port Artery port (0: any free port)
   * @param seeds seed nodes as host:port (may include this node's own address); empty: this node forms a
   *     cluster of its own
   * @param devices device actors this node contributes
   * @param profiles configuration profiles layered under everything else ({@link ConfigProfiles}), e.g.
   *     {@code kubernetes}
   */
  public record Settings(String host, int port, List<String> seeds, int devices, List<String> profiles) {
    public Settings(String host, int port, List<String> seeds, int devices) {
      this(host, port, seeds, devices, List.of());
    }

    public Settings {
      if (devices < 0) {
        throw new BadInputException("--devices must be >= 0, got " + devices);
      }
      for (String s : seeds) {
        if (!s.matches("[^:]+:\\d{1,5}")) {
          throw new BadInputException("seed '" + s + "' must be HOST:PORT");
        }
      }
      seeds = List.copyOf(seeds);
      profiles = List.copyOf(profiles);
    }
  }

  private final ActorSystem<Void> system;

  private ClusterNode(ActorSystem<Void> system) {
    this.system = system;
  }

  /**
   * The cluster configuration for {@code settings} over the given base config, over the profiles, over
   * reference.conf (Artery over plain TCP unless a profile, such as {@code secure}, says otherwise). Pekko
   * Management, when started, serves on the node's host unless its host is configured (Pekko's own default is
   * the machine's host name; the {@code kubernetes} profile binds all interfaces). Pekko settings given to this
   * JVM as system properties ({@code -Dpekko.remote.artery.bind.port=...} in {@code WORLDRING_JAVA_OPTS}) are
   * this node's alone and win over the run's config, which carries every reference.conf and would hide them.
   */
  public static Config config(Settings s, Config base) {
    List<String> seeds = s.seeds().stream().map(a -> "pekko://" + SYSTEM_NAME + "@" + a).toList();
    Config config = ConfigFactory.empty()
        .withValue("pekko.actor.provider", ConfigValueFactory.fromAnyRef("cluster"))
        .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(s.host()))
        .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(s.port()))
        .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds))
        .withFallback(pekkoSystemProperties())
        .withFallback(base)
        .withFallback(ConfigProfiles.load(s.profiles()))
        .withFallback(ConfigFactory.load());
    if (MANAGEMENT_UNCONFIGURED_HOST.equals(config.resolve().getString("pekko.management.http.hostname"))) {
      config = config.withValue("pekko.management.http.hostname", ConfigValueFactory.fromAnyRef(s.host()));
    }
    return config;
  }

  private static Config pekkoSystemProperties() {
    Config props = ConfigFactory.systemProperties();
    return props.hasPath("pekko") ? props.withOnlyPath("pekko") : ConfigFactory.empty();
  }

  /** Starts the node and its devices. */
  public static ClusterNode start(Settings settings, Config base) {
    return start(settings, base, DeviceFaults.NONE);
  }

  /** As {@link #start(Settings, Config)}, with faults injected into this node's devices (tests). */
  public static ClusterNode start(Settings settings, Config base, DeviceFaults faults) {
    Config config = config(settings, base).resolve();
    boolean bootstrap = config.getBoolean("worldring.cluster.bootstrap");
    if (bootstrap && !settings.seeds().isEmpty()) {
      throw new BadInputException("worldring.cluster.bootstrap is on (profile " + settings.profiles() + "): the cluster forms through "
          + "Cluster Bootstrap, so static seed nodes (" + settings.seeds() + ") must not be given");
    }
    TlsStores.check(config);
    DeviceThreads.configure(config, settings.devices());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
      for (int i = 0; i < settings.devices(); i++) {
        ActorRef<DeviceActor.Command> device = ctx.spawn(DeviceActor.create(DeviceActor.LinkFactory.DIRECT, faults), "device-" + i,
            DispatcherSelector.fromConfig("worldring.device-dispatcher"));
        ctx.getSystem().receptionist().tell(Receptionist.register(DeviceActor.SERVICE_KEY, device));
      }
      return Behaviors.empty();
    }), SYSTEM_NAME, config);
    if (bootstrap) {
      ClusterFormation.bootstrap(system);
    } else if (settings.seeds().isEmpty()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    return new ClusterNode(system);
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** Blocks until this node's system has terminated (the run ended, the node was downed, or {@link #close}). */
  public void awaitTermination() {
    system.getWhenTerminated().toCompletableFuture().join();
  }

  /**
   * Whether the cluster, not this node, ended its membership: it was downed (by the Split Brain Resolver, on
   * this node or a peer, after it was unreachable) or removed, and so shut down. A node that was unreachable
   * for too long, say frozen by a long pause, finds out when it wakes and must not rejoin as the same
   * incarnation; a new process joins as a new member.
   */
  public boolean removedByCluster() {
    return CoordinatedShutdown.get(system).getShutdownReason()
        .filter(r -> r == CoordinatedShutdown.clusterDowningReason() || r == CoordinatedShutdown.clusterLeavingReason())
        .isPresent();
  }

  /** Leaves the cluster and terminates. */
  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // terminating regardless
    }
  }
}

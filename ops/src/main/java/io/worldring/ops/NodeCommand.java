package io.worldring.ops;

import io.worldring.actors.cluster.ClusterNode;
import io.worldring.actors.cluster.ConfigProfiles;
import io.worldring.model.BadInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "node", mixinStandardHelpOptions = true,
    description = {"Start a JVM that joins a worldring cluster, contributes device actors, and may host the run's supervisor.",
        "Every node of a run takes the same training flags and --run-dir (shared storage: the supervisor, a cluster singleton,",
        "may move to any node). The run starts once --min-devices devices are up, re-forms its ring as nodes join or leave,",
        "and every node exits when the run is over (exit code 0), or when the cluster downs it (exit code 3: it was unreachable, for",
        "example paused or partitioned away, for longer than the failure detector allows; started again, it joins as a new member).",
        "--seed: the seed nodes' HOST:PORT, comma-separated; 'self' for a first node seeding itself.",
        "--profile kubernetes: no seeds; the nodes find each other through Pekko Management Cluster Bootstrap (see ops/k8s/).",
        "--profile secure: Artery over mutual TLS (WORLDRING_TLS_KEYSTORE, WORLDRING_TLS_TRUSTSTORE, WORLDRING_TLS_PASSWORD); profiles combine:",
        "--profile kubernetes,secure."})
final class NodeCommand implements Callable<Integer> {
  static final int DEFAULT_SEED_PORT = 25520;

  @Option(names = "--seed", paramLabel = "self|HOST:PORT[,HOST:PORT...]", split = ",",
      description = "Seed nodes; 'self' for this node's own address (required unless a profile forms the cluster)")
  List<String> seeds = new ArrayList<>();

  @Option(names = "--profile", paramLabel = "NAME[,NAME...]", split = ",",
      description = "Configuration profiles: kubernetes (Cluster Bootstrap through the Kubernetes API, management and health on port 7626), "
          + "secure (mutual TLS between nodes; stores from WORLDRING_TLS_KEYSTORE, WORLDRING_TLS_TRUSTSTORE, WORLDRING_TLS_PASSWORD)")
  List<String> profiles = new ArrayList<>();

  @Option(names = "--devices", defaultValue = "1", description = "Device actors on this node (default: ${DEFAULT-VALUE})")
  int devices;

  @Option(names = "--expect-devices", paramLabel = "N", description = "Same as --min-devices (kept for older scripts)")
  Integer expectDevices;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind and advertise (default: ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--port", description = "Artery port (default: " + DEFAULT_SEED_PORT + " with --seed self, any free port otherwise)")
  Integer port;

  @Mixin
  TrainOptions options;

  @Override
  public Integer call() {
    boolean self = seeds.contains("self");
    int bindPort = port != null ? port : self ? DEFAULT_SEED_PORT : 0;
    if (expectDevices != null) {
      if (options.minDevices != null && !options.minDevices.equals(expectDevices)) {
        throw new BadInputException("--expect-devices and --min-devices disagree");
      }
      options.minDevices = expectDevices;
    }
    List<String> seedAddresses = new ArrayList<>();
    for (String s : seeds) {
      seedAddresses.add(s.equals("self") ? host + ":" + bindPort : s);
    }
    com.typesafe.config.Config profile = ConfigProfiles.load(profiles);
    boolean bootstrap = profile.hasPath("worldring.cluster.bootstrap") && profile.getBoolean("worldring.cluster.bootstrap");
    if (seedAddresses.isEmpty() && !bootstrap) {
      throw new BadInputException("--seed is required (or --profile kubernetes, where Cluster Bootstrap forms the cluster)");
    }
    TrainOptions.Prepared run = options.prepare(null, profiles);
    System.err.println("worldring node " + host + ":" + (bindPort == 0 ? "(any port)" : bindPort) + " with " + devices
        + " device(s), " + (bootstrap ? "joining through Cluster Bootstrap" : "seeds " + seedAddresses));
    return options.run(run, new ClusterNode.Settings(host, bindPort, seedAddresses, devices, profiles));
  }
}

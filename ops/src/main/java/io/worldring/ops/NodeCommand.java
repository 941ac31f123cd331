package io.worldring.ops;

import com.typesafe.config.Config;
import io.worldring.actors.cluster.ClusterNode;
import io.worldring.model.BadInputException;
import io.worldring.ops.train.RingBackend;
import io.worldring.ops.train.RunConfig;
import io.worldring.ops.train.TrainingRun;
import io.worldring.ring.SequenceLayout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "node", mixinStandardHelpOptions = true,
    description = {"Start a JVM that joins a worldring cluster and contributes device actors.",
        "The first node (--seed self) hosts the driver: it waits for --expect-devices devices across the cluster,",
        "trains with the training flags (as `train`), writes the run directory, and shuts every node down at the end.",
        "Other nodes: --seed HOST:PORT of the first node; they exit when the run is over."})
final class NodeCommand implements Callable<Integer> {
  static final int DEFAULT_SEED_PORT = 25520;

  @Option(names = "--seed", required = true, paramLabel = "self|HOST:PORT", description = "self for the first node, else its HOST:PORT")
  String seed;

  @Option(names = "--devices", defaultValue = "1", description = "Device actors on this node (default: ${DEFAULT-VALUE})")
  int devices;

  @Option(names = "--expect-devices", paramLabel = "N", description = "First node only: devices in the ring (default: this node's)")
  Integer expectDevices;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind and advertise (default: ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--port", description = "Artery port (default: " + DEFAULT_SEED_PORT + " for the first node, any free port otherwise)")
  Integer port;

  @Option(names = "--join-timeout", defaultValue = "120", description = "Seconds the first node waits for devices (default: ${DEFAULT-VALUE})")
  int joinTimeout;

  @Mixin
  TrainOptions options;

  @Override
  public Integer call() {
    boolean first = seed.equals("self");
    int bindPort = port != null ? port : first ? DEFAULT_SEED_PORT : 0;
    String seedAddress = first ? host + ":" + bindPort : seed;
    if (!first && expectDevices != null) {
      throw new BadInputException("--expect-devices is for the first node (--seed self) only");
    }
    TrainOptions.Prepared run = first ? options.prepare(expectDevices != null ? expectDevices : devices) : null;
    Config config = first ? run.config() : RunConfig.load(options.config, java.util.Map.of());
    ClusterNode node = ClusterNode.start(new ClusterNode.Settings(host, bindPort, List.of(seedAddress), devices), config);
    try {
      System.err.println("worldring node " + node.system().address() + " with " + devices + " device(s), seed " + seedAddress);
      if (!first) {
        node.awaitTermination();
        return 0;
      }
      TrainingRun.Backends cluster = (spec, settings, runConfig) -> new RingBackend(node.formRing(settings.devices(),
          SequenceLayout.parse(settings.layout()), spec, Duration.ofSeconds(joinTimeout)), spec.model(), settings.optimizer());
      return options.run(run, cluster);
    } finally {
      if (first) {
        node.close();
      }
    }
  }
}

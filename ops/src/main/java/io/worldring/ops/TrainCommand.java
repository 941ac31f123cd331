package io.worldring.ops;

import io.worldring.actors.cluster.ClusterNode;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Train a model through a curriculum of growing context lengths, on a local cluster in this JVM.",
        "With no options: the tiny curriculum (256 -> 512 -> 1K tokens, then a chat stage) on the bundled sample corpus,",
        "on a ring of 4 device actors (RingAttention). Settings come from reference.conf, then --config FILE, then the flags.",
        "A --run-dir that already holds a run is continued from its newest valid checkpoint (--resume insists on that)."})
final class TrainCommand implements Callable<Integer> {
  @Mixin
  TrainOptions options;

  @Option(names = "--devices", description = "Device actors in this JVM (default: worldring.train.devices, 4)")
  Integer devices;

  @Override
  public Integer call() {
    TrainOptions.Prepared p = options.prepare(devices);
    int here = p.settings().devices();
    if (here < 1) {
      throw new io.worldring.model.BadInputException("--devices must be at least 1 for a local run, got " + here);
    }
    for (String warning : io.worldring.ops.train.TrainingRun.checkRingSizes(p.plan(), here)) {
      System.err.println("warning: " + warning);
    }
    return options.run(p, new ClusterNode.Settings("127.0.0.1", 0, List.of(), here));
  }
}

package io.worldring.ops;

import io.worldring.ops.train.TrainingRun;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Train a model. With no options: the tiny preset on the bundled sample corpus (Moby-Dick).",
        "Settings come from reference.conf, then --config FILE, then the flags below.",
        "--devices N trains on a ring of N device actors in this JVM (RingAttention).",
        "A --run-dir that already holds checkpoints is resumed from its latest one."})
final class TrainCommand implements Callable<Integer> {
  @Mixin
  TrainOptions options;

  @Option(names = "--devices", description = "Devices in the ring (1: this JVM trains alone; N: N device actors here)")
  Integer devices;

  @Override
  public Integer call() {
    return options.run(options.prepare(devices), TrainingRun.LOCAL);
  }
}

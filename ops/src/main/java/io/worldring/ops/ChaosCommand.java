package io.worldring.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.ops.chaos.ChaosRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "chaos", mixinStandardHelpOptions = true,
    description = {"Start a cluster of `worldring node` processes on 127.0.0.1, kill (SIGKILL) and restart random nodes",
        "for a bounded time, stop the cluster, verify the run's ledger, and print JSON: recoveries, median recovery seconds",
        "(node kill -> next committed step), lost steps, duplicate samples. Exit code 1 if a step or sample was lost or",
        "duplicated, or a kill was not recovered from. Extra arguments after -- are training flags for every node."})
final class ChaosCommand implements Callable<Integer> {
  @Option(names = "--launcher", defaultValue = "./worldring", description = "The worldring launcher (default: ${DEFAULT-VALUE})")
  Path launcher;

  @Option(names = "--dir", description = "Working directory for the run and node logs (default: a new temporary directory)")
  Path dir;

  @Option(names = "--nodes", defaultValue = "3", description = "Cluster size (default: ${DEFAULT-VALUE})")
  int nodes;

  @Option(names = "--base-port", defaultValue = "25700", description = "Node i listens on base-port + i (default: ${DEFAULT-VALUE})")
  int basePort;

  @Option(names = "--seconds", defaultValue = "60", description = "How long to kill and restart nodes (default: ${DEFAULT-VALUE})")
  int seconds;

  @Option(names = "--kill-every", defaultValue = "15", description = "Mean seconds between kills (default: ${DEFAULT-VALUE})")
  double killEvery;

  @Option(names = "--down", defaultValue = "2", description = "Seconds a killed node stays down (default: ${DEFAULT-VALUE})")
  double down;

  @Option(names = "--random-seed", defaultValue = "1", description = "Chooses victims and pauses (default: ${DEFAULT-VALUE})")
  long seed;

  @Parameters(paramLabel = "TRAINING-FLAGS", description = "Training flags for every node (default: a long single-stage run)")
  List<String> training;

  @Override
  public Integer call() throws Exception {
    if (nodes < 3) {
      throw new io.worldring.model.BadInputException("--nodes must be at least 3 (keep-majority needs a majority to survive a kill)");
    }
    Path work = dir != null ? dir : Files.createTempDirectory("worldring-chaos");
    List<String> flags = training != null ? training : List.of("--steps", "100000", "--seq-len", "384", "--batch-size", "2",
        "--lr", "0.002", "--warmup-steps", "2", "--checkpoint-every", "20", "--min-devices", "2");
    ChaosRun run = new ChaosRun(new ChaosRun.Settings(launcher.toAbsolutePath(), work.toAbsolutePath(), nodes, basePort, seconds,
        killEvery, down, seed, flags), line -> System.err.println("chaos: " + line));
    ObjectNode report = run.run();
    System.out.println(report.toPrettyString());
    boolean ok = report.get("lost steps").asLong() == 0 && report.get("duplicate samples").asLong() == 0
        && report.get("recoveries").asInt() == report.get("kills").asInt();
    return ok ? 0 : 1;
  }
}

package io.worldring.ops;

import io.worldring.model.BadInputException;
import io.worldring.model.attention.BlockAttention;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `worldring` command line. */
@Command(name = "worldring", mixinStandardHelpOptions = true, versionProvider = WorldringCli.Version.class,
    description = "Long-context world-model training (the LWM recipe) with RingAttention.",
    subcommands = {TrainCommand.class, NodeCommand.class, StatusCommand.class, ReportCommand.class, VisionCommand.class, ChaosCommand.class, EvalCommand.class, ChatCommand.class, AskCommand.class, QaCommand.class, ImportCommand.class, LogitsCommand.class, GenerateCommand.class, BenchCommand.class,
        CommandLine.HelpCommand.class})
public final class WorldringCli implements Runnable {
  /** Exit code of bad input (a file, a flag, a config key): the message says what and where. */
  public static final int EXIT_BAD_INPUT = 2;
  /** Exit code of an unexpected failure. */
  public static final int EXIT_FAILURE = 1;
  /**
   * Exit code of a `worldring node` the cluster removed before the run ended (downed by the Split Brain
   * Resolver after it was unreachable: it crashed, paused or was partitioned away); the run goes on without it.
   */
  public static final int EXIT_REMOVED = 3;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  public static void main(String[] args) {
    int code = execute(args);
    System.out.flush();
    System.exit(code);
  }

  /** Runs the command line and returns the exit code (tests call this). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new WorldringCli());
    try {
      BlockAttention.checkKernelSetting(); // a bad -Dworldring.attention.kernel fails here, not in the first step
    } catch (BadInputException e) {
      cli.getErr().println("worldring: error: " + e.getMessage());
      cli.getErr().flush();
      return EXIT_BAD_INPUT;
    }
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      PrintWriter err = cmd.getErr();
      BadInputException bad = findBadInput(e);
      if (bad != null) {
        err.println(cmd.getCommandSpec().qualifiedName() + ": error: " + bad.getMessage());
        err.flush();
        return EXIT_BAD_INPUT;
      }
      err.println(cmd.getCommandSpec().qualifiedName() + ": failed: " + e);
      e.printStackTrace(err);
      err.flush();
      return EXIT_FAILURE;
    });
    return cli.execute(args);
  }

  private static BadInputException findBadInput(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BadInputException b) {
        return b;
      }
    }
    return null;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = WorldringCli.class.getPackage().getImplementationVersion();
      return new String[] {"worldring " + (v == null ? "(development build)" : v)};
    }
  }
}

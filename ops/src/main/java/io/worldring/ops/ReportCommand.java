package io.worldring.ops;

import io.worldring.ops.report.RunReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Render a run's step log (RUN/metrics.jsonl) into PNG charts and one self-contained HTML page: loss per stage,",
        "tokens/s, step time and the overlap ratio per device, with recoveries and ring changes marked on the time axis.",
        "Works on a finished run or one in progress."})
final class ReportCommand implements Callable<Integer> {
  @Option(names = "--run", required = true, description = "The run directory (runs/NAME)")
  Path run;

  @Option(names = "--out", description = "Where the report goes (default: RUN/report)")
  Path out;

  @Override
  public Integer call() {
    Path dir = out != null ? out : run.resolve("report");
    RunReport.Written w = RunReport.write(run, dir);
    System.out.println("report of " + w.steps() + " steps (" + w.recoveries() + " recoveries): " + w.html());
    for (Path c : w.charts()) {
      System.out.println("  " + c);
    }
    return 0;
  }
}

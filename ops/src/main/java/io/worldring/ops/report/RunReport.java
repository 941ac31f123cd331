package io.worldring.ops.report;

import io.worldring.model.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run's report: the charts as PNG files and one self-contained HTML page (the same charts embedded as
 * data URIs, a summary per stage, and the recoveries and ring changes), readable without Grafana.
 */
public final class RunReport {
  /** What was written. */
  public record Written(Path html, List<Path> charts, int steps, int recoveries) {}

  private RunReport() {}

  public static Written write(Path runDir, Path outDir) {
    StepLog log = StepLog.read(runDir);
    if (log.steps().isEmpty()) {
      throw new BadInputException(log.file() + ": no committed steps yet: nothing to report");
    }
    List<RunEvents.Event> events = RunEvents.of(log.steps());
    try {
      Files.createDirectories(outDir);
    } catch (IOException e) {
      throw new BadInputException(outDir + ": cannot create (" + e.getMessage() + ")", e);
    }
    List<Path> charts = new RunCharts(log.steps(), events).write(outDir);
    Path html = outDir.resolve("report.html");
    String page = html(runDir.getFileName().toString(), log, events, charts);
    try {
      Path partial = outDir.resolve("report.html.partial");
      Files.writeString(partial, page, StandardCharsets.UTF_8);
      Files.move(partial, html, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new BadInputException(html + ": cannot write (" + e.getMessage() + ")", e);
    }
    int recoveries = (int) events.stream().filter(e -> e.kind() == RunEvents.Kind.RECOVERY).count();
    return new Written(html, charts, log.steps().size(), recoveries);
  }

  /** Per stage: steps, first and last loss, median tokens/s and step time, ring sizes. */
  record StageSummary(String stage, int steps, long firstStep, long lastStep, double firstLoss, double lastLoss, double medianTokensPerSecond,
      double medianStepSeconds, int minDevices, int maxDevices) {}

  static List<StageSummary> stages(List<StepLog.Step> steps) {
    Map<String, List<StepLog.Step>> by = new LinkedHashMap<>();
    for (StepLog.Step s : steps) {
      by.computeIfAbsent(s.stage(), k -> new ArrayList<>()).add(s);
    }
    List<StageSummary> out = new ArrayList<>();
    by.forEach((name, ss) -> out.add(new StageSummary(name, ss.size(), ss.get(0).step(), ss.get(ss.size() - 1).step(), ss.get(0).loss(),
        ss.get(ss.size() - 1).loss(), median(ss.stream().mapToDouble(StepLog.Step::tokensPerSecond).toArray()),
        median(ss.stream().mapToDouble(StepLog.Step::stepSeconds).toArray()), ss.stream().mapToInt(StepLog.Step::devices).min().orElse(0),
        ss.stream().mapToInt(StepLog.Step::devices).max().orElse(0))));
    return out;
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static String html(String run, StepLog log, List<RunEvents.Event> events, List<Path> charts) {
    List<StepLog.Step> steps = log.steps();
    StepLog.Step first = steps.get(0);
    StepLog.Step last = steps.get(steps.size() - 1);
    Duration wall = Duration.between(first.time(), last.time());
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>worldring run ").append(escape(run)).append("</title>\n<style>")
        .append("body{font-family:sans-serif;max-width:1000px;margin:auto}table{border-collapse:collapse;margin:8px 0}")
        .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}td.l{text-align:left}")
        .append("img{display:block;margin:12px 0;max-width:100%}.rec{color:#c02020}.ring{color:#2050c0}</style></head><body>\n")
        .append("<h1>worldring run ").append(escape(run)).append("</h1>\n<p>")
        .append(String.format(Locale.ROOT, "%d committed steps (%d to %d) in %s of wall time from the first to the last commit, ",
            steps.size(), first.step(), last.step(), human(wall)))
        .append(String.format(Locale.ROOT, "final loss %.4f; %d failures, %d planned ring changes.", last.loss(), last.failures(),
            last.membershipChanges()))
        .append(log.tornTail() ? " The log's last line was cut short (the process stopped mid-write) and is left out." : "")
        .append("</p>\n<h2>Stages</h2>\n<table><tr><th>stage</th><th>steps</th><th>global steps</th><th>first loss</th><th>last loss</th>")
        .append("<th>median tokens/s</th><th>median step time (s)</th><th>devices</th></tr>\n");
    for (StageSummary s : stages(steps)) {
      b.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td>%d</td><td>%d–%d</td><td>%.4f</td><td>%.4f</td><td>%,.0f</td>"
          + "<td>%.3f</td><td>%s</td></tr>\n", escape(s.stage()), s.steps(), s.firstStep(), s.lastStep(), s.firstLoss(), s.lastLoss(),
          s.medianTokensPerSecond(), s.medianStepSeconds(), s.minDevices() == s.maxDevices() ? "" + s.minDevices()
              : s.minDevices() + "–" + s.maxDevices()));
    }
    b.append("</table>\n<h2>Recoveries and ring changes</h2>\n");
    if (events.isEmpty()) {
      b.append("<p>None: every step committed at its first attempt on an unchanged ring.</p>\n");
    } else {
      b.append("<ul>\n");
      for (RunEvents.Event e : events) {
        b.append("<li class=\"").append(e.kind() == RunEvents.Kind.RECOVERY ? "rec" : "ring").append("\">")
            .append(String.format(Locale.ROOT, "%s: at %.2f min, %.2f s after the previous commit (the step took %d attempt%s, %.2f s)",
                escape(e.label()), Duration.between(first.time(), e.at().time()).toMillis() / 60_000.0, e.gapSeconds(), e.at().attempts(),
                e.at().attempts() == 1 ? "" : "s", e.at().stepSeconds()))
            .append("</li>\n");
      }
      b.append("</ul>\n");
    }
    b.append("<h2>Charts</h2>\n<p>Dashed lines: <span class=\"rec\">recoveries</span> and <span class=\"ring\">ring changes</span>.</p>\n");
    for (Path c : charts) {
      try {
        b.append("<img alt=\"").append(escape(c.getFileName().toString())).append("\" src=\"data:image/png;base64,")
            .append(Base64.getEncoder().encodeToString(Files.readAllBytes(c))).append("\">\n");
      } catch (IOException e) {
        throw new BadInputException(c + ": cannot read back (" + e.getMessage() + ")", e);
      }
    }
    return b.append("</body></html>\n").toString();
  }

  private static String human(Duration d) {
    long s = d.toSeconds();
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}

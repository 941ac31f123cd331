package io.worldring.ops.report;

import io.worldring.model.BadInputException;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A run's charts (JFreeChart, PNG): loss per stage against the step, and tokens per second, step time and
 * each device's overlap ratio against wall time, with recoveries (red) and ring changes (blue) marked.
 */
public final class RunCharts {
  public static final int WIDTH = 960;
  public static final int HEIGHT = 420;
  private static final Color RECOVERY = new Color(0xC0, 0x20, 0x20);
  private static final Color RING_CHANGE = new Color(0x20, 0x50, 0xC0);
  /** Distinct, legible on white (no yellow): one per stage or device, in order. */
  private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0x9467bd),
      new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf), new Color(0x7f7f7f)};

  /** The charts a report has, by file name. */
  public static final List<String> FILES = List.of("loss.png", "tokens-per-second.png", "step-time.png", "overlap.png");

  private final List<StepLog.Step> steps;
  private final List<RunEvents.Event> events;

  public RunCharts(List<StepLog.Step> steps, List<RunEvents.Event> events) {
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("no steps to chart");
    }
    this.steps = steps;
    this.events = events;
  }

  /** Writes every chart into {@code dir}; returns their files in {@link #FILES} order. */
  public List<Path> write(Path dir) {
    save(loss(), dir.resolve(FILES.get(0)));
    save(overTime("Tokens per second", "tokens/s", s -> s.tokensPerSecond()), dir.resolve(FILES.get(1)));
    save(overTime("Step time (first attempt to commit)", "seconds", s -> s.stepSeconds()), dir.resolve(FILES.get(2)));
    save(overlap(), dir.resolve(FILES.get(3)));
    return FILES.stream().map(dir::resolve).toList();
  }

  JFreeChart loss() {
    Map<String, XYSeries> byStage = new LinkedHashMap<>();
    for (StepLog.Step s : steps) {
      byStage.computeIfAbsent(s.stage(), XYSeries::new).add(s.step(), s.loss());
    }
    XYSeriesCollection data = new XYSeriesCollection();
    byStage.values().forEach(data::addSeries);
    JFreeChart chart = ChartFactory.createXYLineChart("Loss per stage", "step", "loss (nats per loss token)", data,
        PlotOrientation.VERTICAL, true, false, false);
    mark(chart.getXYPlot(), e -> e.at().step());
    return style(chart);
  }

  JFreeChart overTime(String title, String unit, ToDoubleFunction<StepLog.Step> value) {
    XYSeries series = new XYSeries(unit);
    for (StepLog.Step s : steps) {
      series.add(minutes(s), value.applyAsDouble(s));
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, "minutes since the first step", unit, new XYSeriesCollection(series),
        PlotOrientation.VERTICAL, false, false, false);
    mark(chart.getXYPlot(), e -> minutes(e.at()));
    return style(chart);
  }

  JFreeChart overlap() {
    Map<Integer, XYSeries> byDevice = new LinkedHashMap<>();
    for (StepLog.Step s : steps) {
      for (int d = 0; d < s.overlapRatios().length; d++) {
        byDevice.computeIfAbsent(d, i -> new XYSeries("device " + i)).add(minutes(s), s.overlapRatios()[d]);
      }
    }
    XYSeriesCollection data = new XYSeriesCollection();
    byDevice.values().forEach(data::addSeries);
    JFreeChart chart = ChartFactory.createXYLineChart("Overlap ratio per device (compute / (compute + wait))", "minutes since the first step",
        "ratio", data, PlotOrientation.VERTICAL, true, false, false);
    chart.getXYPlot().getRangeAxis().setRange(0, 1.02);
    mark(chart.getXYPlot(), e -> minutes(e.at()));
    return style(chart);
  }

  private double minutes(StepLog.Step s) {
    return Duration.between(steps.get(0).time(), s.time()).toMillis() / 60_000.0;
  }

  private void mark(XYPlot plot, ToDoubleFunction<RunEvents.Event> where) {
    for (RunEvents.Event e : events) {
      boolean recovery = e.kind() == RunEvents.Kind.RECOVERY;
      ValueMarker m = new ValueMarker(where.applyAsDouble(e), recovery ? RECOVERY : RING_CHANGE,
          new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 3f}, 0f));
      m.setLabel(recovery ? "recovery" : "ring " + e.at().devices());
      m.setLabelPaint(recovery ? RECOVERY : RING_CHANGE);
      m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
      m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
      plot.addDomainMarker(m);
    }
  }

  private static JFreeChart style(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    XYPlot plot = chart.getXYPlot();
    for (int i = 0; i < PALETTE.length; i++) {
      plot.getRenderer().setSeriesPaint(i, PALETTE[i]);
      plot.getRenderer().setSeriesStroke(i, new BasicStroke(1.6f));
    }
    if (plot.getRangeAxis() instanceof org.jfree.chart.axis.NumberAxis axis) {
      axis.setAutoRangeIncludesZero(false); // losses and rates vary far from zero: show the variation
    }
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    return chart;
  }

  private static void save(JFreeChart chart, Path file) {
    try {
      ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot write (" + e.getMessage() + ")", e);
    }
  }
}

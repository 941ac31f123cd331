package io.worldring.ops.eval;

import io.worldring.model.BadInputException;
import java.awt.Color;
import java.awt.Paint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;

/**
 * The context × depth heatmap of a needle evaluation, red (0) to green (1), as a PNG (JFreeChart) and as a
 * self-contained HTML page whose cells show their numbers on hover.
 */
public final class Heatmap {
  public static final int WIDTH = 960;
  public static final int HEIGHT = 600;

  private Heatmap() {}

  /** Red at 0 through yellow to green at 1. */
  static Color color(double accuracy) {
    double a = Double.isNaN(accuracy) ? 0 : Math.max(0, Math.min(1, accuracy));
    float hue = (float) (a * 120.0 / 360.0);
    return Color.getHSBColor(hue, 0.75f, 0.9f);
  }

  private record Scale() implements PaintScale {
    @Override
    public double getLowerBound() {
      return 0;
    }

    @Override
    public double getUpperBound() {
      return 1;
    }

    @Override
    public Paint getPaint(double value) {
      return color(value);
    }
  }

  public static void png(NeedleResults results, List<Integer> contexts, List<Double> depths, String title, Path file) {
    DefaultXYZDataset data = new DefaultXYZDataset();
    int n = contexts.size() * depths.size();
    double[][] xyz = new double[3][n];
    int k = 0;
    for (int x = 0; x < depths.size(); x++) {
      for (int y = 0; y < contexts.size(); y++) {
        NeedleResults.Cell c = results.find(contexts.get(y), depths.get(x));
        xyz[0][k] = x;
        xyz[1][k] = y;
        xyz[2][k] = c == null ? Double.NaN : c.accuracy();
        k++;
      }
    }
    data.addSeries("accuracy", xyz);
    SymbolAxis depthAxis = new SymbolAxis("needle depth (%)", depths.stream().map(d -> fmt(d)).toArray(String[]::new));
    SymbolAxis contextAxis = new SymbolAxis("context length (tokens)", contexts.stream().map(String::valueOf).toArray(String[]::new));
    XYBlockRenderer renderer = new XYBlockRenderer();
    renderer.setPaintScale(new Scale());
    XYPlot plot = new XYPlot(data, depthAxis, contextAxis, renderer);
    plot.setBackgroundPaint(Color.LIGHT_GRAY);
    JFreeChart chart = new JFreeChart(String.format(Locale.ROOT, "%s — overall accuracy %.3f", title, results.overall()), plot);
    chart.removeLegend();
    NumberAxis scaleAxis = new NumberAxis("accuracy");
    scaleAxis.setRange(0, 1);
    PaintScaleLegend legend = new PaintScaleLegend(new Scale(), scaleAxis);
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setMargin(4, 4, 40, 4);
    chart.addSubtitle(legend);
    chart.setBackgroundPaint(Color.WHITE);
    try {
      ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot write (" + e.getMessage() + ")", e);
    }
  }

  public static void html(NeedleResults results, List<Integer> contexts, List<Double> depths, String title, Path file) {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(escape(title)).append("</title>\n<style>")
        .append("body{font-family:sans-serif}table{border-collapse:collapse}td,th{padding:0;text-align:center;font-size:12px}")
        .append("td.c{width:48px;height:32px;border:1px solid #fff;cursor:default}td.c:hover{outline:2px solid #000}")
        .append("th{padding:2px 6px}#tip{margin-top:8px;min-height:1.5em}</style></head><body>\n<h2>")
        .append(escape(title)).append(String.format(Locale.ROOT, " — overall accuracy %.3f", results.overall())).append("</h2>\n<table>\n");
    for (int y = contexts.size() - 1; y >= 0; y--) {
      b.append("<tr><th>").append(contexts.get(y)).append("</th>");
      for (double d : depths) {
        NeedleResults.Cell c = results.find(contexts.get(y), d);
        double acc = c == null ? Double.NaN : c.accuracy();
        Color col = c == null ? Color.LIGHT_GRAY : color(acc);
        String tip = c == null ? "not evaluated" : String.format(Locale.ROOT, "context %d, depth %s%%: accuracy %.3f over %d rounds",
            c.context(), fmt(d), acc, c.answers().size());
        b.append(String.format(Locale.ROOT, "<td class=\"c\" style=\"background:#%02x%02x%02x\" title=\"%s\" onmouseover=\"tip(this)\">%s</td>",
            col.getRed(), col.getGreen(), col.getBlue(), escape(tip), c == null ? "" : String.format(Locale.ROOT, "%.2f", acc)));
      }
      b.append("</tr>\n");
    }
    b.append("<tr><th>context ↑ / depth →</th>");
    depths.forEach(d -> b.append("<th>").append(fmt(d)).append("</th>"));
    b.append("</tr>\n</table>\n<div id=\"tip\"></div>\n<script>function tip(e){document.getElementById('tip').textContent=e.title}</script>\n")
        .append("</body></html>\n");
    try {
      Files.writeString(file, b, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot write (" + e.getMessage() + ")", e);
    }
  }

  static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%.1f", d);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}

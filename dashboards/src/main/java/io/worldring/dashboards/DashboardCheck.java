package io.worldring.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a Grafana dashboard against what the code serves: every metric a panel queries must be one a
 * worldring node exposes, every panel has a unit and a description, no two panels overlap on the grid, and
 * the variables {@code $datasource}, {@code $node} and {@code $device} exist. Returns the problems, each
 * naming the dashboard and panel.
 */
public final class DashboardCheck {
  /** Metric names in PromQL: worldring's and the JVM's (functions and labels do not match these prefixes). */
  private static final Pattern METRIC = Pattern.compile("\\b((?:worldring|jvm)_[a-zA-Z0-9_]+)");

  private DashboardCheck() {}

  public static List<String> check(Path file, Set<String> exposedSeries) throws IOException {
    return check(file.getFileName().toString(), new ObjectMapper().readTree(file.toFile()), exposedSeries);
  }

  /**
   * @param exposedSeries metric names as scraped from a node's /metrics (with _total, _bucket, ... suffixes)
   */
  public static List<String> check(String name, JsonNode dashboard, Set<String> exposedSeries) {
    List<String> problems = new ArrayList<>();
    List<String> variables = new ArrayList<>();
    dashboard.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
    for (String v : List.of("datasource", "node", "device")) {
      if (!variables.contains(v)) {
        problems.add(name + ": no $" + v + " variable");
      }
    }
    List<JsonNode> panels = new ArrayList<>();
    dashboard.path("panels").forEach(panels::add);
    if (panels.isEmpty()) {
      problems.add(name + ": no panels");
    }
    for (JsonNode p : panels) {
      String where = name + ": panel '" + p.path("title").asText() + "'";
      if (p.path("description").asText().isBlank()) {
        problems.add(where + " has no description");
      }
      if (p.path("fieldConfig").path("defaults").path("unit").asText().isBlank()) {
        problems.add(where + " has no unit");
      }
      for (JsonNode t : p.path("targets")) {
        Matcher m = METRIC.matcher(t.path("expr").asText());
        while (m.find()) {
          if (!exposedSeries.contains(m.group(1))) {
            problems.add(where + " queries " + m.group(1) + ", which no node exposes");
          }
        }
      }
    }
    for (int i = 0; i < panels.size(); i++) {
      for (int j = i + 1; j < panels.size(); j++) {
        if (overlap(panels.get(i).path("gridPos"), panels.get(j).path("gridPos"))) {
          problems.add(name + ": panels '" + panels.get(i).path("title").asText() + "' and '" + panels.get(j).path("title").asText()
              + "' overlap");
        }
      }
    }
    return problems;
  }

  private static boolean overlap(JsonNode a, JsonNode b) {
    int ax = a.path("x").asInt(), ay = a.path("y").asInt(), aw = a.path("w").asInt(), ah = a.path("h").asInt();
    int bx = b.path("x").asInt(), by = b.path("y").asInt(), bw = b.path("w").asInt(), bh = b.path("h").asInt();
    return ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah;
  }
}

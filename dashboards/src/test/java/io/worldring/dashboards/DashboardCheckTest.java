package io.worldring.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.worldring.actors.cluster.ClusterNode;
import io.worldring.actors.device.DeviceFaults;
import io.worldring.actors.metrics.NodeMetrics;
import io.worldring.actors.supervisor.RunListener;
import io.worldring.actors.supervisor.RunPlan;
import io.worldring.actors.supervisor.Stage;
import io.worldring.actors.supervisor.TrainingSupervisor;
import io.worldring.datasets.source.LossWeighting;
import io.worldring.datasets.stage.DataMix;
import io.worldring.model.ModelConfig;
import io.worldring.model.train.OptimizerConfig;
import io.worldring.ring.SequenceLayout;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped dashboards against the metric names a live node serves (scraped over HTTP after a short
 * run), and the check itself against deliberately broken copies.
 */
class DashboardCheckTest {
  static final Path DASHBOARDS = Path.of(System.getProperty("worldring.dashboards", "."));
  static Set<String> exposed;

  @BeforeAll
  static void scrapeALiveNode(@TempDir Path dir) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    DataMix books = new DataMix("bytes", "", 0, 1, "", 0, "", 1000, 0, 0, LossWeighting.PER_EXAMPLE, "fail");
    ModelConfig model = new ModelConfig(32, 2, 4, 2, 48, 272, 1e-5, 10_000, 64, false);
    RunPlan plan = new RunPlan("dash", dir.resolve("run"), model, "", 1, SequenceLayout.ZIGZAG, 16, false,
        new OptimizerConfig(1e-3, 1, "constant", 0, 0, 0.9, 0.95, 1e-8, 0.1, 1.0),
        List.of(new Stage("s", 64, 10_000, 3, 0, 128, 1e-3, 1, false, "", books)), 2, 1, 1, 0, Long.MAX_VALUE, Duration.ofMillis(100),
        Duration.ofSeconds(60), Duration.ofSeconds(60));
    CompletableFuture<String> done = new CompletableFuture<>();
    ClusterNode node = ClusterNode.start(new ClusterNode.Settings("127.0.0.1", 0, List.of(), 2), ConfigFactory.empty(), DeviceFaults.NONE);
    try {
      NodeMetrics.get(node.system()).serve("127.0.0.1", port);
      TrainingSupervisor.singleton(node.system(), plan, new RunListener() {
        @Override
        public void finished(long step, String error) {
          done.complete(error == null ? "" : error);
        }
      }, false);
      assertEquals("", done.get(2, TimeUnit.MINUTES));
      String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      exposed = new HashSet<>();
      for (String line : body.split("\n")) {
        if (!line.startsWith("#") && !line.isBlank()) {
          exposed.add(line.split("[{ ]", 2)[0]);
        }
      }
    } finally {
      node.close();
    }
    assertTrue(exposed.contains("worldring_step") && exposed.contains("worldring_kv_bytes_sent_total"), "scraped: " + exposed);
  }

  static List<Path> dashboards() throws Exception {
    try (Stream<Path> s = Files.list(DASHBOARDS)) {
      return s.filter(p -> p.getFileName().toString().matches("worldring-.*\\.json")).sorted().toList();
    }
  }

  @Test
  void shippedDashboardsPass() throws Exception {
    List<Path> files = dashboards();
    assertEquals(3, files.size(), "training, ring and cluster dashboards: " + files);
    for (Path f : files) {
      assertEquals(List.of(), DashboardCheck.check(f, exposed), f.toString());
    }
  }

  @Test
  void brokenCopiesFail() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode d = (ObjectNode) json.readTree(dashboards().get(0).toFile());
    ArrayNode panels = (ArrayNode) d.get("panels");
    ObjectNode p = (ObjectNode) panels.get(1);
    ((ObjectNode) p.get("targets").get(0)).put("expr", "rate(worldring_made_up_total[1m])");
    ((ObjectNode) p.get("fieldConfig").get("defaults")).remove("unit");
    p.put("description", "");
    ((ObjectNode) panels.get(2).get("gridPos")).put("x", 0).put("y", 3);
    List<String> problems = DashboardCheck.check("broken.json", d, exposed);
    String all = String.join("\n", problems);
    assertTrue(all.contains("queries worldring_made_up_total, which no node exposes"), all);
    assertTrue(all.contains("has no unit") && all.contains("has no description"), all);
    assertTrue(all.contains("overlap"), all);
    d.putObject("templating").putArray("list");
    assertTrue(String.join("\n", DashboardCheck.check("broken.json", d, exposed)).contains("no $datasource variable"));
  }
}

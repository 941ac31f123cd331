package io.worldring.actors.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.worldring.actors.cluster.ClusterNode;
import io.worldring.actors.device.DeviceFaults;
import io.worldring.actors.metrics.NodeMetrics;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 2-node cluster trains a few steps; both nodes' /metrics endpoints are scraped over HTTP twice, and the
 * values move: the step grows on the supervisor's node, key/value bytes on both, the loss is there.
 */
class NodeMetricsTest {
  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static String scrape(int port) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }

  static double value(String body, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(body);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  static JsonNode status(int port) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new ObjectMapper().readTree(r.body());
  }

  @Test
  void bothNodesServeMetricsThatMove(@TempDir Path dir) throws Exception {
    List<Stage> stages = List.of(new Stage("s", 64, 10_000, 12, 0, 128, 3e-3, 1, false, "", SupervisedRuns.books()));
    RunPlan plan = new RunPlan("metrics", dir.resolve("metrics"), SupervisedRuns.MODEL, "", 3, io.worldring.ring.SequenceLayout.ZIGZAG, 16,
        false, SupervisedRuns.OPTIMIZER, stages, 100, 1, 2, 0, Long.MAX_VALUE, java.time.Duration.ofMillis(100),
        java.time.Duration.ofSeconds(60), java.time.Duration.ofSeconds(60));
    int seedPort = freePort();
    CompletableFuture<Void> atFour = new CompletableFuture<>();
    SupervisedRuns.Recorder recorder = new SupervisedRuns.Recorder() {
      @Override
      public synchronized void stepped(StepRecord record) {
        super.stepped(record);
        if (record.step() == 4) {
          atFour.complete(null);
        }
      }
    };
    ClusterNode a = ClusterNode.start(new ClusterNode.Settings("127.0.0.1", seedPort, List.of("127.0.0.1:" + seedPort), 1),
        ConfigFactory.empty(), DeviceFaults.NONE);
    ClusterNode b = ClusterNode.start(new ClusterNode.Settings("127.0.0.1", 0, List.of("127.0.0.1:" + seedPort), 1), ConfigFactory.empty(),
        DeviceFaults.NONE);
    try {
      int portA = NodeMetrics.get(a.system()).serve("127.0.0.1", freePort());
      int portB = NodeMetrics.get(b.system()).serve("127.0.0.1", freePort());
      var proxyA = TrainingSupervisor.singleton(a.system(), plan, recorder, false);
      var proxyB = TrainingSupervisor.singleton(b.system(), plan, SupervisedRuns.Recorder.NONE, false);
      NodeMetrics.get(a.system()).serveStatus(new StatusEndpoint(a.system(), proxyA));
      NodeMetrics.get(b.system()).serveStatus(new StatusEndpoint(b.system(), proxyB));
      atFour.get(2, TimeUnit.MINUTES);
      String a1 = scrape(portA);
      String b1 = scrape(portB);
      JsonNode during = status(portB); // node b asks the supervisor on node a: over the wire
      assertTrue(during.get("step").asLong() >= 4, during.toString());
      assertEquals(2, during.get("ring").size(), during.toString());
      assertEquals("s", during.get("stage").asText());
      assertTrue(during.get("loss").asDouble() > 0, during.toString());
      assertEquals("", recorder.finished.get(2, TimeUnit.MINUTES), "the run finished");
      String a2 = scrape(portA);
      String b2 = scrape(portB);

      assertEquals(1.0, value(a1, "worldring_supervisor_hosted"), "the oldest node hosts the supervisor");
      assertEquals(0.0, value(b1, "worldring_supervisor_hosted"));
      double step1 = value(a1, "worldring_step");
      assertTrue(step1 >= 4 && value(a2, "worldring_step") == 12, "step moved: " + step1 + " -> " + value(a2, "worldring_step"));
      assertTrue(value(a2, "worldring_loss") > 0, "loss present");
      assertEquals(2.0, value(a2, "worldring_ring_devices"));
      assertEquals(12.0, value(a2, "worldring_steps_committed_total"));
      for (String[] node : new String[][] {{a1, a2}, {b1, b2}}) {
        double before = value(node[0], "worldring_kv_bytes_sent_total{device=\"device-0\"}");
        double after = value(node[1], "worldring_kv_bytes_sent_total{device=\"device-0\"}");
        assertTrue(before > 0 && after > before, "key/value bytes grow on every node: " + before + " -> " + after);
      }
      assertTrue(b2.contains("jvm_memory_used_bytes"), "JVM metrics");
      assertTrue(value(b2, "worldring_nd4j_offheap_bytes") > 0, "ND4J off-heap memory");
      for (String node : new String[] {a2, b2}) {
        assertEquals(2.0, value(node, "worldring_cluster_members{status=\"up\"}"), "both members up, seen from each node");
        assertEquals(0.0, value(node, "worldring_cluster_members{status=\"down\"}"));
        double overlap = value(node, "worldring_overlap_ratio{device=\"device-0\"}");
        assertTrue(overlap > 0 && overlap <= 1, "overlap ratio " + overlap);
        double mfu = value(node, "worldring_device_mfu_ratio{device=\"device-0\"}");
        assertTrue(mfu > 0 && mfu < 1, "device MFU " + mfu);
        // per step: the round's start, then per sequence (2) and layer (2) the neighbour's K/V forward (n-1 = 1)
        // and backward K/V + dK/dV, then this block's own accumulators back (n = 2)
        assertEquals(12 * (1 + 2 * 2 * (1 + 2)), value(node, "worldring_hop_compute_seconds_count{device=\"device-0\"}"), "hops counted");
        assertEquals(12.0, value(node, "worldring_gradient_reduction_seconds_count{device=\"device-0\"}"));
        assertEquals(value(node, "worldring_kv_bytes_sent_total{device=\"device-0\"}"),
            value(node, "worldring_kv_bytes_received_total{device=\"device-0\"}"), "a ring of two: what one sends the other receives");
      }
      assertEquals(12.0, value(a2, "worldring_data_loading_seconds_count"), "one batch drawn per step");
      assertTrue(value(a2, "worldring_checkpoint_size_bytes") > 0, "checkpoint size");
      double mfu = value(a2, "worldring_mfu_ratio");
      assertTrue(mfu > 0 && mfu < 1, "MFU " + mfu);
      JsonNode after = status(portB);
      assertEquals(12, after.get("step").asLong(), after.toString());
      assertEquals("done", after.get("phase").asText());
      assertTrue(after.get("last_checkpoint").asText().endsWith("step-00000012") || after.get("last_checkpoint_step").asLong() == 12,
          after.toString());
    } finally {
      b.close();
      a.close();
    }
  }
}

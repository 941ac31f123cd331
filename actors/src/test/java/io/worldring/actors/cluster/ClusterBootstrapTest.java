package io.worldring.actors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.worldring.model.BadInputException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.junit.jupiter.api.Test;

/**
 * The `kubernetes` profile's way of forming a cluster, without Kubernetes: two nodes with no seed nodes find
 * each other through Cluster Bootstrap (discovery from configuration instead of the Kubernetes API, the
 * only difference), form one cluster, and report ready on Pekko Management's health endpoints. Without the
 * profile, Management serves on the node's host (127.0.0.1 unless configured), not on the machine's name.
 */
class ClusterBootstrapTest {
  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static int get(int port, String path) throws Exception {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode();
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  /** The kubernetes profile with discovery from a static list of both nodes' management endpoints. */
  static Config node(int managementPort, int[] allManagementPorts) {
    StringBuilder endpoints = new StringBuilder();
    for (int p : allManagementPorts) {
      endpoints.append(endpoints.length() == 0 ? "" : ",").append("{host = \"127.0.0.1\", port = ").append(p).append("}");
    }
    return ConfigFactory.parseString("""
        pekko.management.http { hostname = "127.0.0.1", bind-hostname = "127.0.0.1", port = %d, bind-port = %d }
        pekko.management.cluster.bootstrap.contact-point-discovery {
          discovery-method = config
          service-name = worldring-test
          required-contact-point-nr = 2
          stable-margin = 1s
          interval = 200ms
        }
        pekko.management.cluster.bootstrap.contact-point {
          probe-interval = 200ms
          # the profile's fixed management port filters contact points; here every node has its own port
          filter-on-fallback-port = false
        }
        pekko.discovery.config.services.worldring-test.endpoints = [%s]
        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
        """.formatted(managementPort, managementPort, endpoints));
  }

  @Test
  void nodesFormOneClusterWithoutSeedNodesAndReportReady() throws Exception {
    int[] management = {freePort(), freePort()};
    List<String> profile = List.of("kubernetes");
    ClusterNode a = ClusterNode.start(new ClusterNode.Settings("127.0.0.1", 0, List.of(), 0, profile), node(management[0], management));
    ClusterNode b = ClusterNode.start(new ClusterNode.Settings("127.0.0.1", 0, List.of(), 0, profile), node(management[1], management));
    try {
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (System.nanoTime() < deadline && !(upMembers(a) == 2 && upMembers(b) == 2)) {
        Thread.sleep(200);
      }
      assertEquals(2, upMembers(a), "node a sees both members up");
      assertEquals(2, upMembers(b), "node b sees both members up: one cluster, not two");
      while (System.nanoTime() < deadline && !(get(management[0], "/ready") == 200 && get(management[1], "/ready") == 200)) {
        Thread.sleep(200);
      }
      for (int port : management) {
        assertEquals(200, get(port, "/ready"), "ready on " + port);
        assertEquals(200, get(port, "/alive"), "alive on " + port);
      }
    } finally {
      b.close();
      a.close();
    }
  }

  @Test
  void theProfileWiresKubernetesDiscoveryAndRefusesStaticSeeds() {
    Config k8s = ClusterNode.config(new ClusterNode.Settings("10.0.0.5", 25520, List.of(), 1, List.of("kubernetes")), ConfigFactory.empty())
        .resolve();
    assertTrue(k8s.getBoolean("worldring.cluster.bootstrap"));
    assertEquals("kubernetes-api", k8s.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
    assertEquals("app=%s", k8s.getString("pekko.discovery.kubernetes-api.pod-label-selector"));
    assertEquals(7626, k8s.getInt("pekko.management.http.port"));
    assertEquals("worldring", k8s.getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name"));
    Config plain = ClusterNode.config(new ClusterNode.Settings("127.0.0.1", 0, List.of(), 1), ConfigFactory.empty()).resolve();
    assertTrue(!plain.getBoolean("worldring.cluster.bootstrap"), "off without the profile");
    BadInputException seeds = assertThrows(BadInputException.class, () -> ClusterNode.start(
        new ClusterNode.Settings("127.0.0.1", 0, List.of("127.0.0.1:25520"), 0, List.of("kubernetes")), ConfigFactory.empty()));
    assertTrue(seeds.getMessage().contains("static seed nodes"), seeds.getMessage());
    BadInputException unknown = assertThrows(BadInputException.class, () -> ConfigProfiles.load(List.of("kubernetse")));
    assertTrue(unknown.getMessage().contains("unknown configuration profile 'kubernetse' (known: kubernetes"), unknown.getMessage());
  }

  @Test
  void managementServesOnTheNodesHostUnlessConfigured() throws Exception {
    Config plain = ClusterNode.config(new ClusterNode.Settings("127.0.0.1", 0, List.of(), 0), ConfigFactory.empty()).resolve();
    assertEquals("127.0.0.1", plain.getString("pekko.management.http.hostname"), "not Pekko's default, the machine's host name");
    assertEquals("", plain.getString("pekko.management.http.bind-hostname"), "bound where it is advertised");
    Config k8s = ClusterNode.config(new ClusterNode.Settings("10.0.0.5", 0, List.of(), 0, List.of("kubernetes")), ConfigFactory.empty())
        .resolve();
    assertEquals("10.0.0.5", k8s.getString("pekko.management.http.hostname"), "the pod's address (POD_IP, else --host)");
    assertEquals("0.0.0.0", k8s.getString("pekko.management.http.bind-hostname"), "the kubernetes profile exposes it");
    int port = freePort();
    ClusterNode n = ClusterNode.start(new ClusterNode.Settings("127.0.0.1", 0, List.of(), 0),
        ConfigFactory.parseString("pekko.management.http.port = " + port));
    try {
      Uri uri = PekkoManagement.get(Adapter.toClassic(n.system())).start().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals("127.0.0.1", uri.host().address(), "management started without configuration: " + uri);
      assertEquals(200, get(port, "/alive"));
    } finally {
      n.close();
    }
  }

  private static long upMembers(ClusterNode n) {
    return java.util.stream.StreamSupport.stream(Cluster.get(n.system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).count();
  }
}

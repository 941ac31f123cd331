package io.worldring.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import io.worldring.actors.cluster.ClusterNode;
import io.worldring.actors.cluster.ConfigProfiles;
import io.worldring.actors.metrics.NodeMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The deployment files (docker compose, Prometheus, Kubernetes) parsed and checked against the code they
 * deploy: flags the CLI accepts, its default ports, the profile's management port and health paths, and
 * paths that exist. Docker and Kubernetes do not run here; this is what can be checked without them.
 */
class DeploymentFilesTest {
  static final Path OPS = Path.of(System.getProperty("user.dir")).toAbsolutePath();
  static final Path ROOT = OPS.getParent();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static JsonNode yaml(Path file) throws Exception {
    return YAML.readTree(file.toFile());
  }

  static List<JsonNode> yamlDocuments(Path file) throws Exception {
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(file.toFile())) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        docs.add(it.next());
      }
    }
    return docs;
  }

  /** A node command line, parsed by the real CLI (an unknown flag fails here, not in a container). */
  static NodeCommand parseNode(JsonNode args) {
    List<String> a = new ArrayList<>();
    args.forEach(x -> a.add(x.asText()));
    assertEquals("node", a.get(0), "the image's entry point runs `worldring node`: " + a);
    NodeCommand node = new NodeCommand();
    new CommandLine(node).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(a.subList(1, a.size()).toArray(new String[0]));
    return node;
  }

  static int defaultMetricsPort() {
    NodeCommand node = new NodeCommand();
    new CommandLine(node).setCaseInsensitiveEnumValuesAllowed(true).parseArgs("--seed", "self");
    return node.options.metricsPort;
  }

  @Test
  void composeRunsThreeNodesThatPrometheusScrapesAndGrafanaShows() throws Exception {
    JsonNode compose = yaml(OPS.resolve("docker-compose.yml"));
    JsonNode services = compose.get("services");
    List<String> nodes = new ArrayList<>();
    services.fieldNames().forEachRemaining(n -> {
      if (n.startsWith("worldring-")) {
        nodes.add(n);
      }
    });
    assertEquals(List.of("worldring-1", "worldring-2", "worldring-3"), nodes);
    int metricsPort = defaultMetricsPort();
    Set<String> targets = new HashSet<>();
    for (String name : nodes) {
      JsonNode s = services.get(name);
      assertEquals(name, s.get("hostname").asText());
      NodeCommand node = parseNode(s.get("command"));
      assertEquals(name, node.host, "a node advertises its own service name");
      assertEquals(NodeCommand.DEFAULT_SEED_PORT, node.port.intValue());
      assertEquals(metricsPort, node.options.metricsPort, "the CLI's default metrics port");
      for (String seed : node.seeds) {
        assertTrue(services.has(seed.split(":")[0]) && seed.endsWith(":" + NodeCommand.DEFAULT_SEED_PORT), "seed " + seed + " is a node");
      }
      assertTrue(s.get("healthcheck").get("test").toString().contains("/dev/tcp/$$HOSTNAME/" + metricsPort), "health on the metrics port");
      assertTrue(s.get("healthcheck").get("test").toString().contains("/-/healthy"));
      Path context = OPS.resolve(s.get("build").get("context").asText()).normalize();
      assertEquals(ROOT, context, "the image builds from the project root");
      assertTrue(Files.isRegularFile(context.resolve(s.get("build").get("dockerfile").asText())));
      targets.add(name + ":" + metricsPort);
    }
    // Prometheus scrapes exactly those nodes' /metrics.
    String prometheusMount = services.get("prometheus").get("volumes").get(0).asText();
    assertTrue(prometheusMount.startsWith("./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml"), prometheusMount);
    JsonNode prometheus = yaml(OPS.resolve("prometheus/prometheus.yml"));
    JsonNode job = prometheus.get("scrape_configs").get(0);
    assertEquals("/metrics", job.get("metrics_path").asText());
    Set<String> scraped = new HashSet<>();
    job.get("static_configs").get(0).get("targets").forEach(t -> scraped.add(t.asText()));
    assertEquals(targets, scraped);
    // Grafana's data source is that Prometheus; its dashboards folder is what the provider reads.
    JsonNode datasource = yaml(ROOT.resolve("dashboards/provisioning/datasources/prometheus.yaml")).get("datasources").get(0);
    String prometheusPort = services.get("prometheus").get("ports").get(0).asText().split(":")[1];
    assertEquals("http://prometheus:" + prometheusPort, datasource.get("url").asText());
    String providerPath = yaml(ROOT.resolve("dashboards/provisioning/dashboards/worldring.yaml")).get("providers").get(0).get("options")
        .get("path").asText();
    Map<String, String> grafanaMounts = new HashMap<>();
    services.get("grafana").get("volumes").forEach(v -> {
      String[] parts = v.asText().split(":");
      grafanaMounts.put(parts[1], parts[0]);
    });
    assertEquals(ROOT.resolve("dashboards"), OPS.resolve(grafanaMounts.get(providerPath)).normalize(), "dashboards mounted where read");
    assertEquals(ROOT.resolve("dashboards/provisioning"), OPS.resolve(grafanaMounts.get("/etc/grafana/provisioning")).normalize());
  }

  @Test
  void theImageShipsWhatTheLauncherRuns() throws Exception {
    String dockerfile = Files.readString(OPS.resolve("docker/Dockerfile"));
    for (String copied : List.of("COPY worldring ./worldring", "COPY ops/target/worldring.jar ops/target/worldring.profile ./ops/target/",
        "COPY ops/target/lib/ ./ops/target/lib/")) {
      assertTrue(dockerfile.contains(copied), copied);
    }
    String launcher = Files.readString(ROOT.resolve("worldring"));
    assertTrue(launcher.contains("jar=\"$root/ops/target/worldring.jar\"") && launcher.contains("$root/ops/target/worldring.profile"),
        "the launcher runs the jar the image copies, and skips rebuilding when the profile file matches");
    String pom = Files.readString(OPS.resolve("pom.xml"));
    assertTrue(pom.contains("<finalName>worldring</finalName>") && pom.contains("<classpathPrefix>lib/</classpathPrefix>"));
    int metricsPort = defaultMetricsPort();
    assertTrue(dockerfile.contains("EXPOSE " + NodeCommand.DEFAULT_SEED_PORT + " " + metricsPort + " 7626"), "exposed ports");
  }

  @Test
  void kubernetesManifestsMatchTheProfile() throws Exception {
    Map<String, JsonNode> byKind = new HashMap<>();
    try (var files = Files.list(OPS.resolve("k8s"))) {
      for (Path f : files.sorted().toList()) {
        for (JsonNode doc : yamlDocuments(f)) {
          byKind.put(doc.get("kind").asText() + "/" + doc.get("metadata").get("name").asText(), doc);
        }
      }
    }
    Config profile = ConfigProfiles.load(List.of("kubernetes"));
    JsonNode sts = byKind.get("StatefulSet/worldring");
    JsonNode pod = sts.get("spec").get("template");
    JsonNode container = pod.get("spec").get("containers").get(0);
    NodeCommand node = parseNode(container.get("args"));
    assertEquals(List.of("kubernetes"), node.profiles);
    assertTrue(node.seeds.isEmpty(), "no static seeds: Cluster Bootstrap forms the cluster");
    assertEquals("$(POD_IP)", node.host);
    assertEquals(defaultMetricsPort(), node.options.metricsPort);
    Map<String, Integer> ports = new HashMap<>();
    container.get("ports").forEach(p -> ports.put(p.get("name").asText(), p.get("containerPort").asInt()));
    assertEquals(profile.getInt("pekko.management.http.port"), ports.get(profile.getString("pekko.discovery.kubernetes-api.pod-port-name")),
        "discovery finds the management port by the name the pod gives it");
    assertEquals(node.port.intValue(), ports.get("remoting"));
    assertEquals(node.options.metricsPort, ports.get("metrics"));
    assertEquals(String.valueOf(node.options.metricsPort), pod.get("metadata").get("annotations").get("prometheus.io/port").asText());
    assertEquals("/" + profile.getString("pekko.management.health-checks.readiness-path"),
        container.get("readinessProbe").get("httpGet").get("path").asText());
    assertEquals("/" + profile.getString("pekko.management.health-checks.liveness-path"),
        container.get("livenessProbe").get("httpGet").get("path").asText());
    assertEquals("management", container.get("readinessProbe").get("httpGet").get("port").asText());
    // Discovery lists pods labelled app=<service-name>: the pods carry that label, the env names that service.
    String selector = String.format(profile.getString("pekko.discovery.kubernetes-api.pod-label-selector"),
        env(container, "WORLDRING_SERVICE_NAME"));
    assertEquals("app=" + pod.get("metadata").get("labels").get("app").asText(), selector);
    assertEquals(sts.get("spec").get("replicas").asText(), env(container, "WORLDRING_REQUIRED_PEERS"),
        "bootstrap waits for every replica before starting a cluster");
    assertEquals("status.podIP", envNode(container, "POD_IP").get("valueFrom").get("fieldRef").get("fieldPath").asText());
    // RBAC: the pods' service account may list pods.
    assertEquals("worldring", pod.get("spec").get("serviceAccountName").asText());
    assertTrue(byKind.containsKey("ServiceAccount/worldring"));
    JsonNode rules = byKind.get("Role/worldring-pod-reader").get("rules");
    assertTrue(rules.get(0).get("resources").toString().contains("pods") && rules.get(0).get("verbs").toString().contains("list"));
    JsonNode binding = byKind.get("RoleBinding/worldring-pod-reader");
    assertEquals("worldring", binding.get("subjects").get(0).get("name").asText());
    // A headless service over the same pods; the run volume the pods mount exists.
    JsonNode service = byKind.get("Service/worldring");
    assertEquals("None", service.get("spec").get("clusterIP").asText());
    assertEquals("worldring", service.get("spec").get("selector").get("app").asText());
    assertEquals("worldring", sts.get("spec").get("serviceName").asText());
    String claim = pod.get("spec").get("volumes").get(0).get("persistentVolumeClaim").get("claimName").asText();
    assertTrue(byKind.containsKey("PersistentVolumeClaim/" + claim));
    assertEquals("ReadWriteMany", byKind.get("PersistentVolumeClaim/" + claim).get("spec").get("accessModes").get(0).asText());
  }

  @Test
  void aNodeListensOnLoopbackUnlessGivenAHostAndCombinesProfiles() {
    NodeCommand node = new NodeCommand();
    new CommandLine(node).setCaseInsensitiveEnumValuesAllowed(true).parseArgs("--seed", "self", "--profile", "kubernetes,secure");
    // Artery, the metrics/status server (TrainingRun serves on the node's host) and Pekko Management bind --host.
    assertEquals("127.0.0.1", node.host);
    assertEquals(List.of("kubernetes", "secure"), node.profiles);
    Config both = ConfigProfiles.load(node.profiles).resolve();
    assertTrue(both.getBoolean("worldring.cluster.bootstrap"));
    assertEquals("tls-tcp", both.getString("pekko.remote.artery.transport"));
  }

  @Test
  void profilesReachTheNodeUnderTheRunsConfigFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("my.conf");
    Files.writeString(file, "pekko.management.http.port = 7700\n");
    NodeCommand node = new NodeCommand();
    new CommandLine(node).setCaseInsensitiveEnumValuesAllowed(true).parseArgs("--profile", "kubernetes,secure", "--config", file.toString(),
        "--run-dir", dir.resolve("run").toString());
    // What `worldring node` hands to its cluster node: the run's configuration carries every reference default.
    TrainOptions.Prepared run = node.options.prepare(null, node.profiles);
    Config c = ClusterNode.config(new ClusterNode.Settings(node.host, 0, List.of(), 1, node.profiles), run.config()).resolve();
    assertEquals("tls-tcp", c.getString("pekko.remote.artery.transport"), "the secure profile, not reference.conf's tcp");
    assertTrue(c.getBoolean("pekko.remote.artery.ssl.config-ssl-engine.require-mutual-authentication"));
    assertTrue(c.getBoolean("worldring.cluster.bootstrap"), "the kubernetes profile, not reference.conf's off");
    assertEquals("kubernetes-api", c.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
    assertEquals(7700, c.getInt("pekko.management.http.port"), "the run's config file over the profile");
  }

  @Test
  void aSecureNodeWithoutItsKeystoreStopsWithTheFileAndSettingNamed(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("missing-keystore.p12");
    Path file = dir.resolve("tls.conf");
    Files.writeString(file, "pekko.remote.artery.ssl.config-ssl-engine.key-store = \"" + missing.toString().replace("\\", "\\\\") + "\"\n");
    CliRunner.Result r = CliRunner.run("node", "--profile", "secure", "--seed", "self", "--config", file.toString(), "--run-dir",
        dir.resolve("run").toString(), "--metrics-port", "0", "--progress", "none");
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains("TLS keystore " + missing + " (pekko.remote.artery.ssl.config-ssl-engine.key-store, WORLDRING_TLS_KEYSTORE) "
        + "does not exist"), r.err());
  }

  @Test
  void theReadmeShowsTheSecureProfilesKeytoolCommands() throws Exception {
    String profile;
    try (var in = ConfigProfiles.class.getClassLoader().getResourceAsStream("io/worldring/profiles/secure.conf")) {
      profile = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // SecureClusterTest (actors) runs these very lines to make its stores.
    List<String> commands = profile.lines().filter(l -> l.matches("#\\s+keytool .*")).map(l -> l.substring(1).strip()).toList();
    assertEquals(3, commands.size(), profile);
    String readme = Files.readString(OPS.getParent().resolve("README.md"));
    for (String command : commands) {
      assertTrue(readme.contains("\n" + command + "\n"), "README.md shows: " + command);
    }
  }

  @Test
  void theMetricsServerAnswersTheHealthCheck() throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "health");
    try {
      int port = NodeMetrics.get(system).serve("127.0.0.1", freePort());
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/healthy"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), "compose's health check path");
    } finally {
      system.terminate();
    }
  }

  private static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static JsonNode envNode(JsonNode container, String name) {
    for (JsonNode e : container.get("env")) {
      if (e.get("name").asText().equals(name)) {
        return e;
      }
    }
    throw new AssertionError("no env " + name);
  }

  private static String env(JsonNode container, String name) {
    return envNode(container, name).get("value").asText();
  }
}

package io.worldring.actors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.worldring.actors.device.DeviceActor;
import io.worldring.actors.driver.TrainingDriver;
import io.worldring.model.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The `secure` profile. Its stores are made here by the keytool commands the profile documents, run with
 * this JDK's keytool, twice: once for the cluster and once for a foreign cluster (the same commands: another
 * key). Two nodes join over mutual TLS and a device answers a message from the other node; a node with the
 * foreign stores is refused in the TLS handshake and never becomes a member while the two stay Up; a
 * connection that trusts the cluster but shows the foreign certificate is refused too (the accepting side
 * checks certificates: mutual authentication). Misconfigured stores stop a node before it starts.
 */
class SecureClusterTest {
  static final String PASSWORD = "test-only-password";
  static final String KEYSTORE = "worldring-keystore.p12";
  static final String TRUSTSTORE = "worldring-truststore.p12";

  @TempDir
  static Path dir;
  static Path cluster;
  static Path foreign;

  @BeforeAll
  static void stores() throws Exception {
    cluster = keytoolAsDocumented(dir.resolve("cluster"));
    foreign = keytoolAsDocumented(dir.resolve("foreign"));
  }

  /** The keytool command lines in the profile's comment block, in order. */
  static List<String> documentedCommands() throws IOException {
    String profile;
    try (InputStream in = SecureClusterTest.class.getClassLoader().getResourceAsStream("io/worldring/profiles/secure.conf")) {
      profile = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> commands = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^#\\s+(keytool .*)$").matcher(profile);
    while (m.find()) {
      commands.add(m.group(1).strip());
    }
    return commands;
  }

  /** Runs the documented commands in {@code into} with WORLDRING_TLS_PASSWORD set, as a user would. */
  static Path keytoolAsDocumented(Path into) throws Exception {
    Files.createDirectories(into);
    List<String> commands = documentedCommands();
    assertEquals(3, commands.size(), "genkeypair, exportcert, importcert: " + commands);
    for (String command : commands) {
      List<String> args = words(command);
      args.set(0, Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
      ProcessBuilder pb = new ProcessBuilder(args).directory(into.toFile()).redirectErrorStream(true);
      pb.environment().put("WORLDRING_TLS_PASSWORD", PASSWORD);
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool finished: " + command);
      assertEquals(0, p.exitValue(), command + "\n" + out);
    }
    assertTrue(Files.isRegularFile(into.resolve(KEYSTORE)) && Files.isRegularFile(into.resolve(TRUSTSTORE)), "both stores made");
    return into;
  }

  /** A command line split into words as a shell would (double quotes group). */
  static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    Matcher m = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(line);
    while (m.find()) {
      words.add(m.group(1) != null ? m.group(1) : m.group(2));
    }
    return words;
  }

  /** The stores in {@code stores}, given as config keys (what the environment variables set in the profile). */
  static Config tls(Path stores) {
    return ConfigFactory.parseMap(Map.of(
        TlsStores.ENGINE + "key-store", stores.resolve(KEYSTORE).toString(),
        TlsStores.ENGINE + "trust-store", stores.resolve(TRUSTSTORE).toString(),
        TlsStores.ENGINE + "key-store-password", PASSWORD,
        "pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on"));
  }

  static ClusterNode node(int port, int seedPort, int devices, Path stores) {
    return ClusterNode.start(new ClusterNode.Settings("127.0.0.1", port, List.of("127.0.0.1:" + seedPort), devices, List.of("secure")),
        tls(stores));
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static List<Member> members(ClusterNode n) {
    return StreamSupport.stream(Cluster.get(n.system()).state().getMembers().spliterator(), false).toList();
  }

  static Set<Address> upMembers(ClusterNode n) {
    return members(n).stream().filter(m -> m.status() == MemberStatus.up()).map(Member::address).collect(Collectors.toSet());
  }

  static Address address(ClusterNode n) {
    return Cluster.get(n.system()).selfMember().address();
  }

  @Test
  void twoNodesJoinOverMutualTlsAndANodeWithAForeignCertificateIsRefused() throws Exception {
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    log.start();
    root.addAppender(log);
    int seedPort = freePort();
    ClusterNode a = node(seedPort, seedPort, 1, cluster);
    ClusterNode b = node(0, seedPort, 1, cluster);
    ClusterNode c = null;
    try {
      assertEquals("tls-tcp", a.system().settings().config().getString("pekko.remote.artery.transport"));
      Set<Address> both = Set.of(address(a), address(b));
      long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
      while (System.nanoTime() < deadline && !(upMembers(a).equals(both) && upMembers(b).equals(both))) {
        Thread.sleep(100);
      }
      assertEquals(both, upMembers(a), "node a sees both nodes Up");
      assertEquals(both, upMembers(b), "node b sees both nodes Up");

      // A message and its reply cross the wire: node b asks the device on node a what it holds.
      ActorRef<DeviceActor.Command> remoteDevice = deviceOn(a, b, deadline);
      TestProbe<TrainingDriver.Command> replies = TestProbe.create(b.system());
      remoteDevice.tell(new DeviceActor.Probe("secure-test", replies.ref()));
      TrainingDriver.Probed probed = replies.expectMessageClass(TrainingDriver.Probed.class, Duration.ofSeconds(10));
      assertEquals(remoteDevice, probed.device(), "the answer comes from node a's device");

      // Mutual authentication: trusting the cluster is not enough, the connecting side must show its certificate.
      assertEquals("open TLSv1.3", connect(cluster, cluster, seedPort), "a client with the cluster's key is accepted");
      String shown = connect(foreign, cluster, seedPort);
      assertTrue(shown.startsWith("refused: javax.net.ssl.") || shown.equals("closed"),
          "a client trusting node a but showing a foreign certificate: " + shown);

      // A node of another cluster tries to join through node a.
      synchronized (log) {
        log.list.clear();
      }
      c = node(0, seedPort, 0, foreign);
      Address intruder = address(c);
      long watchUntil = System.nanoTime() + Duration.ofSeconds(6).toNanos();
      while (System.nanoTime() < watchUntil) {
        for (ClusterNode n : List.of(a, b)) {
          assertEquals(both, upMembers(n), "the cluster stays the two good nodes, both Up");
          assertTrue(members(n).stream().noneMatch(m -> m.address().equals(intruder)), "the foreign node is no member");
        }
        assertTrue(upMembers(c).isEmpty(), "the foreign node sees no Up member: " + members(c));
        Thread.sleep(200);
      }
      List<String> handshakes;
      synchronized (log) { // logback appends under the appender's lock
        handshakes = log.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("SSLHandshakeException")).toList();
      }
      assertFalse(handshakes.isEmpty(), "the refused handshake is logged");
    } finally {
      root.detachAppender(log);
      if (c != null) {
        c.system().terminate(); // a node that never joined may be slow to stop: meanwhile b and a leave
      }
      b.close();
      a.close();
      if (c != null) {
        c.close();
      }
    }
  }

  /** Node {@code on}'s device, found through node {@code from}'s receptionist (replicated over the wire). */
  static ActorRef<DeviceActor.Command> deviceOn(ClusterNode on, ClusterNode from, long deadline) throws InterruptedException {
    TestProbe<Receptionist.Listing> listing = TestProbe.create(from.system());
    while (true) {
      from.system().receptionist().tell(Receptionist.find(DeviceActor.SERVICE_KEY, listing.ref()));
      var device = listing.receiveMessage(Duration.ofSeconds(10)).getServiceInstances(DeviceActor.SERVICE_KEY).stream()
          .filter(d -> d.path().address().equals(address(on))).findFirst();
      if (device.isPresent()) {
        return device.get();
      }
      assertTrue(System.nanoTime() < deadline, "node " + address(from) + "'s receptionist lists no device on " + address(on));
      Thread.sleep(100);
    }
  }

  /**
   * A TLS connection to the Artery port at {@code port} with the keystore of {@code keys} and the truststore of
   * {@code trust}: "open PROTOCOL" when the node keeps it open (waiting for Artery's header), else how it ended.
   */
  static String connect(Path keys, Path trust, int port) throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(load(keys.resolve(KEYSTORE)), PASSWORD.toCharArray());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(load(trust.resolve(TRUSTSTORE)));
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(20_000); // the handshake, on a loaded machine
      s.startHandshake();
      String protocol = s.getSession().getProtocol();
      s.setSoTimeout(1_000); // then Artery waits for its header: a refused client hears the alert at once
      try {
        return s.getInputStream().read() < 0 ? "closed" : "data";
      } catch (SocketTimeoutException e) {
        return "open " + protocol;
      }
    } catch (IOException e) {
      return "refused: " + e;
    }
  }

  static KeyStore load(Path file) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    return ks;
  }

  @Test
  void misconfiguredStoresStopTheNodeBeforeItStarts() throws Exception {
    Path missing = dir.resolve("nowhere.p12");
    assertRefused(tls(cluster).withValue(TlsStores.ENGINE + "key-store", ConfigValueFactory.fromAnyRef(missing.toString())),
        missing + " (" + TlsStores.ENGINE + "key-store, WORLDRING_TLS_KEYSTORE) does not exist");
    assertRefused(tls(cluster).withValue(TlsStores.ENGINE + "key-store-password", ConfigValueFactory.fromAnyRef("wrong")),
        "TLS keystore " + cluster.resolve(KEYSTORE) + ": wrong password (" + TlsStores.ENGINE + "key-store-password, WORLDRING_TLS_PASSWORD)");
    assertRefused(ConfigFactory.parseMap(Map.of(TlsStores.ENGINE + "trust-store", cluster.resolve(TRUSTSTORE).toString())),
        "TLS transport without a keystore: set WORLDRING_TLS_KEYSTORE (or " + TlsStores.ENGINE + "key-store)");
    Path certificate = cluster.resolve("worldring-cluster.crt");
    assertRefused(tls(cluster).withValue(TlsStores.ENGINE + "trust-store", ConfigValueFactory.fromAnyRef(certificate.toString())),
        "TLS truststore " + certificate + " (" + TlsStores.ENGINE + "trust-store, WORLDRING_TLS_TRUSTSTORE) is not a PKCS12 or JKS keystore");
    // the truststore used as keystore: a certificate, but no private key to show
    assertRefused(tls(cluster).withValue(TlsStores.ENGINE + "key-store", ConfigValueFactory.fromAnyRef(cluster.resolve(TRUSTSTORE)
        .toString())), "holds no private key");
  }

  static void assertRefused(Config stores, String expected) {
    BadInputException e = assertThrows(BadInputException.class, () -> ClusterNode.start(
        new ClusterNode.Settings("127.0.0.1", 0, List.of(), 0, List.of("secure")), stores));
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }

  @Test
  void theProfileTakesTheStoresFromTheEnvironmentAndCombinesWithKubernetes() {
    // Top-level keys stand in for environment variables: ${?VAR} looks in the configuration first.
    Config env = ConfigFactory.parseMap(Map.of("WORLDRING_TLS_KEYSTORE", "/stores/k.p12", "WORLDRING_TLS_TRUSTSTORE", "/stores/t.p12",
        "WORLDRING_TLS_PASSWORD", "secret"));
    Config both = env.withFallback(ClusterNode.config(new ClusterNode.Settings("10.0.0.5", 25520, List.of(), 1, List.of("kubernetes", "secure")),
        ConfigFactory.empty())).resolve();
    assertTrue(both.getBoolean("worldring.cluster.bootstrap"), "kubernetes still forms the cluster");
    assertEquals("tls-tcp", both.getString("pekko.remote.artery.transport"));
    assertEquals("/stores/k.p12", both.getString(TlsStores.ENGINE + "key-store"));
    assertEquals("/stores/t.p12", both.getString(TlsStores.ENGINE + "trust-store"));
    for (String password : List.of("key-store-password", "key-password", "trust-store-password")) {
      assertEquals("secret", both.getString(TlsStores.ENGINE + password), password);
    }
    assertTrue(both.getBoolean(TlsStores.ENGINE + "require-mutual-authentication"));
    assertFalse(both.getBoolean(TlsStores.ENGINE + "hostname-verification"));
    assertEquals("TLSv1.3", both.getString(TlsStores.ENGINE + "protocol"));
    Config separate = ConfigFactory.parseMap(Map.of("WORLDRING_TLS_TRUSTSTORE_PASSWORD", "other")).withFallback(env)
        .withFallback(ClusterNode.config(new ClusterNode.Settings("127.0.0.1", 0, List.of(), 1, List.of("secure")), ConfigFactory.empty()))
        .resolve();
    assertEquals("other", separate.getString(TlsStores.ENGINE + "trust-store-password"));
    assertEquals("secret", separate.getString(TlsStores.ENGINE + "key-password"));
    Config plain = ClusterNode.config(new ClusterNode.Settings("127.0.0.1", 0, List.of(), 1), ConfigFactory.empty()).resolve();
    assertEquals("tcp", plain.getString("pekko.remote.artery.transport"), "plain TCP without the profile");
  }
}

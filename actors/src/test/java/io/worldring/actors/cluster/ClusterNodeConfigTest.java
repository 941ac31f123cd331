package io.worldring.actors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node's own Pekko settings as -D system properties (WORLDRING_JAVA_OPTS) win over the run's config, which
 * carries every reference.conf (and so Pekko's defaults) and used to hide them; the flags win over both.
 */
class ClusterNodeConfigTest {
  @Test
  void aPekkoSystemPropertyWinsOverTheRunConfig() {
    System.setProperty("pekko.remote.artery.bind.port", "25999");
    System.setProperty("pekko.remote.artery.canonical.port", "1");
    ConfigFactory.invalidateCaches();
    try {
      // Like a run's resolved config (RunConfig.load): every reference.conf, without system properties;
      // bind.port = "" (the canonical port).
      Config runConfig = ConfigFactory.defaultReferenceUnresolved().resolve();
      Config c = ClusterNode.config(new ClusterNode.Settings("127.0.0.1", 25520, List.of(), 1), runConfig).resolve();
      assertEquals(25999, c.getInt("pekko.remote.artery.bind.port"), "bind port from -D");
      assertEquals(25520, c.getInt("pekko.remote.artery.canonical.port"), "canonical port from --port");
      assertEquals(1, c.getInt("worldring.device-dispatcher.throughput"), "the run config is still there");
    } finally {
      System.clearProperty("pekko.remote.artery.bind.port");
      System.clearProperty("pekko.remote.artery.canonical.port");
      ConfigFactory.invalidateCaches();
    }
  }
}

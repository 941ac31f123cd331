package io.worldring.actors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.util.ManifestInfo;
import org.junit.jupiter.api.Test;

/**
 * reference.conf turns Pekko's mixed-version check into a warning for one known exception
 * (pekko-discovery 1.1.3, the only version available); this keeps the check's promise for every other
 * module: all at the version of pekko-actor.
 */
class VersionConsistencyTest {
  @Test
  void everyPekkoModuleButDiscoveryHasTheCoreVersion() {
    ActorSystem system = ActorSystem.create("versions");
    try {
      Map<String, String> versions = new TreeMap<>();
      scala.jdk.javaapi.CollectionConverters.asJava(ManifestInfo.get(system).versions())
          .forEach((module, version) -> versions.put(module, version.toString()));
      String core = versions.get("pekko-actor");
      assertTrue(core != null && versions.size() > 5, "modules found: " + versions);
      // Pekko Management and Pekko HTTP are projects of their own, each with one version throughout.
      versions.forEach((module, version) -> {
        String family = module.startsWith("pekko-management") || module.equals("pekko-discovery-kubernetes-api") ? "pekko-management"
            : module.startsWith("pekko-http") || module.equals("pekko-parsing") ? "pekko-http" : "pekko-actor";
        if (!module.equals("pekko-discovery")) {
          assertEquals(versions.get(family), version, module + " differs from " + family + ": " + versions);
        }
      });
      assertEquals("1.1.3", versions.get("pekko-discovery"), "the one known exception; drop it (and fail-mixed-versions = off) "
          + "once pekko-discovery is available at the core's version");
    } finally {
      system.terminate();
    }
  }
}

package io.worldring.actors.cluster;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * Forming the cluster without static seed nodes: Pekko Management serves this node's HTTP endpoint
 * (contact point for its peers, {@code /ready} and {@code /alive} health checks), and Cluster Bootstrap
 * finds the peers through Pekko Discovery (the Kubernetes API in the {@code kubernetes} profile), agrees
 * on who starts the cluster, and joins. Nodes arriving later join the existing cluster.
 */
final class ClusterFormation {
  private ClusterFormation() {}

  static void bootstrap(ActorSystem<?> system) {
    var classic = Adapter.toClassic(system);
    PekkoManagement.get(classic).start();
    ClusterBootstrap.get(classic).start();
  }
}

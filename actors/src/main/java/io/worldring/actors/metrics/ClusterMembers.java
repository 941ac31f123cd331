package io.worldring.actors.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The cluster as this node sees it, read at scrape time: members by status and how many are unreachable.
 * Every status is exported (0 when empty) so a dashboard's series do not come and go.
 */
final class ClusterMembers {
  /** Pekko's member statuses, in the order a member passes through them. */
  enum Status { JOINING, WEAKLY_UP, UP, PREPARING_FOR_SHUTDOWN, READY_FOR_SHUTDOWN, LEAVING, EXITING, DOWN, REMOVED }

  private ClusterMembers() {}

  static void register(ActorSystem<?> system, PrometheusRegistry registry) {
    GaugeWithCallback.builder().name("worldring_cluster_members")
        .help("Cluster members this node sees, by status")
        .labelNames("status")
        .callback(cb -> count(Cluster.get(system).state()).forEach((status, n) -> cb.call(n, status.name().toLowerCase(Locale.ROOT))))
        .register(registry);
    GaugeWithCallback.builder().name("worldring_cluster_unreachable_members")
        .help("Members this node's failure detector marks unreachable")
        .callback(cb -> cb.call(Cluster.get(system).state().getUnreachable().size()))
        .register(registry);
  }

  static Map<Status, Integer> count(ClusterEvent.CurrentClusterState state) {
    Map<Status, Integer> n = new EnumMap<>(Status.class);
    for (Status s : Status.values()) {
      n.put(s, 0);
    }
    for (Member m : state.getMembers()) {
      n.merge(statusOf(m), 1, Integer::sum);
    }
    return n;
  }

  private static Status statusOf(Member m) {
    // MemberStatus objects print as their Scala names: Up, WeaklyUp, PreparingForShutdown, ...
    String scala = m.status().toString();
    return Status.valueOf(scala.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
  }
}

package io.worldring.actors.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * One node's Prometheus metrics (its own registry, so several nodes in one JVM, as in tests, stay apart),
 * served at {@code /metrics} by {@link #serve}. Names follow Prometheus conventions: {@code worldring_}
 * prefix, base units, {@code _total} for counters; labels are low-cardinality ({@code device}, {@code stage}).
 * The supervisor's metrics appear on the node that hosts it.
 */
public final class NodeMetrics implements Extension {
  public final PrometheusRegistry registry = new PrometheusRegistry();

  // Training (the supervisor's node)
  public final Gauge step = Gauge.builder().name("worldring_step").help("Global optimizer steps committed").register(registry);
  public final Gauge stageInfo = Gauge.builder().name("worldring_stage_info").help("The current curriculum stage (value 1)")
      .labelNames("stage", "seq_len", "rope_theta").register(registry);
  public final Gauge loss = Gauge.builder().name("worldring_loss").help("Loss of the last committed step (nats per loss token)")
      .register(registry);
  public final Gauge learningRate = Gauge.builder().name("worldring_learning_rate").help("Learning rate of the last committed step")
      .register(registry);
  public final Gauge gradNorm = Gauge.builder().name("worldring_grad_norm").help("Gradient norm before clipping, last committed step")
      .register(registry);
  public final Gauge tokensPerSecond = Gauge.builder().name("worldring_tokens_per_second")
      .help("Tokens per second of the last committed step (including any recovery)").register(registry);
  public final Histogram stepDuration = Histogram.builder().name("worldring_step_duration_seconds").unit(Unit.SECONDS)
      .help("Wall time from a step's first attempt to its commit").classicExponentialUpperBounds(0.05, 2, 14).register(registry);
  public final Counter stepsCommitted = Counter.builder().name("worldring_steps_committed_total").help("Steps committed")
      .register(registry);
  public final Counter stepsRetried = Counter.builder().name("worldring_steps_retried_total")
      .help("Step attempts that failed before their commit and were run again").register(registry);
  public final Histogram checkpointDuration = Histogram.builder().name("worldring_checkpoint_duration_seconds").unit(Unit.SECONDS)
      .help("Time to write a checkpoint").classicExponentialUpperBounds(0.05, 2, 14).register(registry);
  public final Gauge checkpointSize = Gauge.builder().name("worldring_checkpoint_size_bytes").unit(Unit.BYTES)
      .help("Size on disk of the last checkpoint written").register(registry);
  public final Counter stepsAborted = Counter.builder().name("worldring_steps_aborted_total")
      .help("Step attempts aborted by a failure (before or after their commit)").register(registry);
  public final Histogram dataLoading = Histogram.builder().name("worldring_data_loading_seconds").unit(Unit.SECONDS)
      .help("Time to draw (read, tokenize, pack) one step's batch").classicExponentialUpperBounds(0.0001, 2, 18).register(registry);
  public final Gauge mfu = Gauge.builder().name("worldring_mfu_ratio")
      .help("Model FLOPs of the last step / its wall time / (peak FLOP/s per device x devices)").register(registry);

  // Cluster
  public final Gauge ringDevices = Gauge.builder().name("worldring_ring_devices").help("Devices in the ring").register(registry);
  public final Counter failures = Counter.builder().name("worldring_failures_total")
      .help("Unplanned failures: failed steps, failed ring formations, supervisor take-overs").register(registry);
  public final Counter membershipChanges = Counter.builder().name("worldring_membership_changes_total")
      .help("Planned ring changes: devices that joined or left between steps").register(registry);
  public final Counter recoveries = Counter.builder().name("worldring_recoveries_total")
      .help("Failures recovered from: a step committed again after one").register(registry);
  public final Histogram recoveryDuration = Histogram.builder().name("worldring_recovery_duration_seconds").unit(Unit.SECONDS)
      .help("From a failure (or a supervisor take-over) to the next committed step").classicExponentialUpperBounds(0.5, 2, 10)
      .register(registry);
  public final Gauge supervisorHere = Gauge.builder().name("worldring_supervisor_hosted")
      .help("1 on the node that hosts the training supervisor (the cluster singleton)").register(registry);

  // Ring, per device of this node
  public final Counter kvBytesSent = Counter.builder().name("worldring_kv_bytes_sent_total")
      .help("Key/value and dK/dV bytes this device sent to the next").labelNames("device").register(registry);
  public final Counter gradientBytesSent = Counter.builder().name("worldring_gradient_bytes_sent_total")
      .help("Gradient all-reduce bytes this device sent").labelNames("device").register(registry);
  public final Gauge peakActivationBytes = Gauge.builder().name("worldring_peak_activation_bytes").unit(Unit.BYTES)
      .help("Peak activation memory of this device's last step").labelNames("device").register(registry);
  public final Counter kvBytesReceived = Counter.builder().name("worldring_kv_bytes_received_total")
      .help("Key/value and dK/dV bytes this device received from the previous").labelNames("device").register(registry);
  public final Histogram hopCompute = Histogram.builder().name("worldring_hop_compute_seconds").unit(Unit.SECONDS)
      .help("Compute time of one attention hop (a block held, forward or backward)").labelNames("device")
      .classicExponentialUpperBounds(0.0001, 2, 18).register(registry);
  public final Histogram hopWait = Histogram.builder().name("worldring_hop_wait_seconds").unit(Unit.SECONDS)
      .help("Time a device sat idle before a hop, waiting for the next block").labelNames("device")
      .classicExponentialUpperBounds(0.0001, 2, 18).register(registry);
  public final Gauge overlapRatio = Gauge.builder().name("worldring_overlap_ratio")
      .help("Hop compute / (compute + wait) over the device's last round: 1 = transfers fully hidden").labelNames("device")
      .register(registry);
  public final Histogram gradientReduction = Histogram.builder().name("worldring_gradient_reduction_seconds").unit(Unit.SECONDS)
      .help("Wall time of a round's gradient all-reduce on this device").labelNames("device")
      .classicExponentialUpperBounds(0.0001, 2, 18).register(registry);
  public final Gauge deviceMfu = Gauge.builder().name("worldring_device_mfu_ratio")
      .help("Model FLOPs of the device's last round / its wall time / configured peak FLOP/s").labelNames("device")
      .register(registry);
  public final Counter deviceRounds = Counter.builder().name("worldring_device_rounds_total")
      .help("Rounds this device completed (reduced or inferred)").labelNames("device").register(registry);

  private HTTPServer server;
  private volatile HttpHandler status; // GET /status, once this node runs a supervisor's proxy

  private NodeMetrics(ActorSystem<?> system) {
    JvmMetrics.builder().register(registry);
    GaugeWithCallback.builder().name("worldring_nd4j_offheap_bytes").unit(Unit.BYTES)
        .help("Native (off-heap) memory ND4J holds through JavaCPP in this JVM")
        .callback(cb -> cb.call(org.bytedeco.javacpp.Pointer.totalBytes())).register(registry);
    if (system.settings().config().getString("pekko.actor.provider").equals("cluster")) {
      ClusterMembers.register(system, registry);
    }
  }

  /** Serves {@code /metrics} on {@code port} (0: not at all); returns the port bound, or 0. */
  public synchronized int serve(String host, int port) throws IOException {
    if (port == 0 || server != null) {
      return server == null ? 0 : server.getPort();
    }
    server = HTTPServer.builder().hostname(host).port(port).registry(registry).defaultHandler(this::route).buildAndStart();
    return server.getPort();
  }

  /** Answers {@code GET /status} on this node's HTTP port with {@code handler}. */
  public void serveStatus(HttpHandler handler) {
    this.status = handler;
  }

  /** Everything but /metrics and /-/healthy: the run's status, or a pointer to what is served. */
  private void route(HttpExchange exchange) throws IOException {
    HttpHandler s = status;
    if (exchange.getRequestURI().getPath().equals("/status") && s != null) {
      s.handle(exchange);
      return;
    }
    byte[] body = "worldring node: /metrics, /status, /-/healthy\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(exchange.getRequestURI().getPath().equals("/") ? 200 : 404, body.length);
    try (var out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** Stops serving (the node is going down). */
  public synchronized void close() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  public static NodeMetrics get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  private static final class Id extends ExtensionId<NodeMetrics> {
    static final Id INSTANCE = new Id();

    @Override
    public NodeMetrics createExtension(ActorSystem<?> system) {
      NodeMetrics m = new NodeMetrics(system);
      system.getWhenTerminated().thenRun(m::close);
      return m;
    }
  }
}

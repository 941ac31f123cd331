package io.worldring.actors.supervisor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * {@code GET /status} on a node's HTTP port: asks the training supervisor, wherever the cluster runs it,
 * through this node's singleton proxy, and answers its {@link RunStatus} as JSON (503 with an
 * {@code error} when no supervisor answers in time: a hand-over in progress, or no run).
 */
public final class StatusEndpoint implements HttpHandler {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

  private final ActorSystem<?> system;
  private final ActorRef<TrainingSupervisor.Command> supervisor;

  public StatusEndpoint(ActorSystem<?> system, ActorRef<TrainingSupervisor.Command> supervisor) {
    this.system = system;
    this.supervisor = supervisor;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    int code = 200;
    ObjectNode body;
    try {
      RunStatus s = AskPattern.<TrainingSupervisor.Command, RunStatus>ask(supervisor, TrainingSupervisor.GetStatus::new, ASK_TIMEOUT,
          system.scheduler()).toCompletableFuture().get(ASK_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
      body = toJson(s);
    } catch (ExecutionException | TimeoutException e) {
      code = 503;
      body = RunDirectory.object().put("error", "the training supervisor did not answer within " + ASK_TIMEOUT.toSeconds()
          + " s (no run in progress, or it is moving to another node)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    byte[] bytes = (body.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The JSON `worldring status --json` prints; field names are part of the CLI's contract. */
  public static ObjectNode toJson(RunStatus s) {
    ObjectNode n = RunDirectory.object();
    n.put("run_id", s.runId());
    n.put("phase", s.phase());
    n.put("stage", s.stage());
    n.put("stage_number", s.stageNumber());
    n.put("stages", s.stages());
    n.put("stage_step", s.stageStep());
    n.put("stage_steps", s.stageSteps());
    n.put("seq_len", s.seqLen());
    n.put("step", s.step());
    putNumber(n, "loss", s.loss());
    putNumber(n, "tokens_per_second", s.tokensPerSecond());
    ArrayNode ring = n.putArray("ring");
    for (String d : s.ring()) {
      ring.add(d);
    }
    n.put("ring_devices", s.ring().length);
    if (s.lastCheckpoint().isEmpty()) {
      n.putNull("last_checkpoint");
    } else {
      n.put("last_checkpoint", s.lastCheckpoint());
    }
    n.put("last_checkpoint_step", s.lastCheckpointStep());
    n.put("failures_total", s.failures());
    n.put("membership_changes_total", s.membershipChanges());
    n.put("supervisor_node", s.supervisorNode());
    n.put("message", s.message());
    return n;
  }

  private static void putNumber(ObjectNode n, String key, double v) {
    if (Double.isFinite(v)) {
      n.put(key, v);
    } else {
      n.putNull(key);
    }
  }
}

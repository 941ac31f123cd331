package io.worldring.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.model.BadInputException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Ask a running cluster how its run is going: stage, step, loss, ring members and the last checkpoint, from",
        "the training supervisor wherever it runs. HOST:PORT is any node's HTTP port (its --metrics-port, default 9464).",
        "Exit code 1 when no node answers there, 3 when the node answers but no supervisor does (none running, or moving)."})
final class StatusCommand implements Callable<Integer> {
  static final int EXIT_NO_SUPERVISOR = 3;

  @Option(names = "--node", defaultValue = "127.0.0.1:9464", description = "A node's HTTP endpoint, HOST:PORT (default: ${DEFAULT-VALUE})")
  String node;

  @Option(names = "--json", description = "Print the supervisor's answer as JSON")
  boolean json;

  @Option(names = "--timeout", defaultValue = "10", description = "Seconds to wait for an answer (default: ${DEFAULT-VALUE})")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    if (!node.matches("[^:/\\s]+:\\d{1,5}")) {
      throw new BadInputException("--node: '" + node + "' is not HOST:PORT");
    }
    HttpResponse<String> r;
    try {
      r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(timeoutSeconds)).build().send(HttpRequest.newBuilder(
          URI.create("http://" + node + "/status")).timeout(Duration.ofSeconds(timeoutSeconds)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      System.err.println("worldring status: no worldring node answers at " + node + " (" + e + "); is --metrics-port set to 0 there?");
      return WorldringCli.EXIT_FAILURE;
    }
    JsonNode body;
    try {
      body = new ObjectMapper().readTree(r.body());
    } catch (IOException e) {
      System.err.println("worldring status: " + node + " is not a worldring node (HTTP " + r.statusCode() + ", not JSON)");
      return WorldringCli.EXIT_FAILURE;
    }
    if (r.statusCode() != 200) {
      String why = body.path("error").asText("HTTP " + r.statusCode());
      if (json) {
        System.out.println(body.toPrettyString());
      }
      System.err.println("worldring status: " + why);
      return r.statusCode() == 503 ? EXIT_NO_SUPERVISOR : WorldringCli.EXIT_FAILURE;
    }
    if (json) {
      System.out.println(body.toPrettyString());
    } else {
      print(body, System.out);
    }
    return 0;
  }

  /** The human-readable form: one fact per line, the ring's members indented. */
  static void print(JsonNode s, PrintStream out) {
    out.printf("run         %s (%s)%n", s.path("run_id").asText(), s.path("phase").asText());
    if (!s.path("stage").asText().isEmpty()) {
      out.printf("stage       %s (%d of %d): step %d of %d, sequence length %d%n", s.path("stage").asText(), s.path("stage_number").asInt(),
          s.path("stages").asInt(), s.path("stage_step").asLong(), s.path("stage_steps").asLong(), s.path("seq_len").asInt());
    }
    out.printf("step        %d%n", s.path("step").asLong());
    out.printf("loss        %s%n", s.path("loss").isNumber() ? String.format(Locale.ROOT, "%.4f", s.path("loss").asDouble()) : "-");
    out.printf("tokens/s    %s%n", s.path("tokens_per_second").isNumber()
        ? String.format(Locale.ROOT, "%,.0f", s.path("tokens_per_second").asDouble()) : "-");
    out.printf("ring        %d devices%n", s.path("ring").size());
    for (JsonNode d : s.path("ring")) {
      out.printf("            %s%n", d.asText());
    }
    out.printf("checkpoint  %s%n", s.path("last_checkpoint").isNull() || s.path("last_checkpoint").isMissingNode() ? "none yet"
        : s.path("last_checkpoint").asText() + " (step " + s.path("last_checkpoint_step").asLong() + ")");
    out.printf("failures    %d, planned membership changes %d%n", s.path("failures_total").asLong(), s.path("membership_changes_total").asLong());
    out.printf("supervisor  %s%n", s.path("supervisor_node").asText());
    if (!s.path("message").asText().isEmpty()) {
      out.printf("last event  %s%n", s.path("message").asText());
    }
  }
}

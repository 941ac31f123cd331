package io.worldring.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.worldring.actors.supervisor.RunStatus;
import io.worldring.actors.supervisor.StatusEndpoint;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * `worldring status` against an HTTP server that answers as a node does (the node's own /status is tested
 * against a live 2-node cluster in NodeMetricsTest, and the command against `./worldring train` in LauncherIT).
 */
class StatusCommandTest {
  static HttpServer serve(int code, String body) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(code, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
    return server;
  }

  @Test
  void printsTheSupervisorsViewAsTextOrJson() throws Exception {
    RunStatus s = new RunStatus("r1", "stepping", "ctx-512", 2, 4, 7, 30, 512, 67, 2.9134, 4812.4,
        new String[] {"pekko://worldring@127.0.0.1:25520/user/device-0", "pekko://worldring@127.0.0.1:25521/user/device-0"},
        "runs/r1/checkpoints/step-00000060", 60, 1, 2, "pekko://worldring@127.0.0.1:25520", "ring of 2 devices formed");
    HttpServer server = serve(200, StatusEndpoint.toJson(s).toString());
    try {
      String node = "127.0.0.1:" + server.getAddress().getPort();
      CliRunner.Result text = CliRunner.run("status", "--node", node);
      assertEquals(0, text.exitCode(), text.err());
      for (String line : new String[] {"run         r1 (stepping)", "stage       ctx-512 (2 of 4): step 7 of 30, sequence length 512",
          "step        67", "loss        2.9134", "tokens/s    4,812", "ring        2 devices",
          "            pekko://worldring@127.0.0.1:25521/user/device-0", "checkpoint  runs/r1/checkpoints/step-00000060 (step 60)",
          "failures    1, planned membership changes 2"}) {
        assertTrue(text.out().contains(line), "'" + line + "' in:\n" + text.out());
      }
      CliRunner.Result json = CliRunner.run("status", "--node", node, "--json");
      assertEquals(0, json.exitCode());
      var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
      assertEquals(67, n.get("step").asLong());
      assertEquals(2, n.get("ring").size());
      assertEquals(60, n.get("last_checkpoint_step").asLong());
    } finally {
      server.stop(0);
    }
  }

  @Test
  void saysWhoDidNotAnswer() throws Exception {
    HttpServer server = serve(503, "{\"error\":\"the training supervisor did not answer within 5 s\"}");
    int port = server.getAddress().getPort();
    try {
      CliRunner.Result r = CliRunner.run("status", "--node", "127.0.0.1:" + port);
      assertEquals(StatusCommand.EXIT_NO_SUPERVISOR, r.exitCode());
      assertTrue(r.err().contains("did not answer"), r.err());
    } finally {
      server.stop(0);
    }
    CliRunner.Result gone = CliRunner.run("status", "--node", "127.0.0.1:" + port, "--timeout", "2");
    assertEquals(WorldringCli.EXIT_FAILURE, gone.exitCode());
    assertTrue(gone.err().contains("no worldring node answers at 127.0.0.1:" + port), gone.err());
    CliRunner.Result bad = CliRunner.run("status", "--node", "localhost");
    assertEquals(WorldringCli.EXIT_BAD_INPUT, bad.exitCode());
    assertTrue(bad.err().contains("'localhost' is not HOST:PORT"), bad.err());
  }
}

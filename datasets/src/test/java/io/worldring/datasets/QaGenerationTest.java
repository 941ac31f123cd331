package io.worldring.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.worldring.datasets.qa.Chunk;
import io.worldring.datasets.qa.Chunker;
import io.worldring.datasets.qa.ExtractiveGenerator;
import io.worldring.datasets.qa.GeneratorFailedException;
import io.worldring.datasets.qa.OpenAiGenerator;
import io.worldring.datasets.qa.QaExamples;
import io.worldring.datasets.qa.QaFile;
import io.worldring.datasets.qa.QaGeneration;
import io.worldring.datasets.qa.QaGenerator;
import io.worldring.datasets.qa.QaPair;
import io.worldring.datasets.qa.QaRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QaGenerationTest {
  static final ByteTokenizer BYTES = new ByteTokenizer();
  private HttpServer server;

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void extractiveOnTheBundledBooksWritesValidQa(@TempDir Path dir) {
    List<Document> books = new DocumentReader(BadInputPolicy.fail()).bundled();
    Path out = dir.resolve("qa.jsonl");
    QaGeneration.Summary s = new QaGeneration(books, new Chunker(BYTES, 1000), new ExtractiveGenerator(), out, 3).run((d, t) -> { });
    assertEquals(s.chunks(), s.written());
    List<QaRecord> records = QaFile.read(out, BadInputPolicy.fail());
    assertEquals(s.written(), records.size());
    assertTrue(records.size() > 500, "records: " + records.size());
    for (QaRecord r : records) {
      assertTrue(!r.question().isBlank() && !r.answer().isBlank() && !r.text().isBlank(), r.toString());
    }
    // A metadata question about an address is answerable from its first chunk's header.
    QaRecord first1790 = records.stream().filter(r -> r.book().startsWith("1790") && r.chunk() == 0).findFirst().orElseThrow();
    assertTrue(first1790.text().contains(first1790.answer()), first1790.toString());
    // Cloze answers come from the chunk.
    long clozeInText = records.stream().filter(r -> r.question().contains("____")).filter(r -> r.text().contains(r.answer())).count();
    assertEquals(records.stream().filter(r -> r.question().contains("____")).count(), clozeInText);
    // Long-context examples: documents of consecutive chunks within the sequence length, loss on answers only.
    ChatTemplate chat = new ChatTemplate(BYTES);
    List<Example> examples = QaExamples.build(records, chat, BYTES, 8192);
    assertTrue(examples.stream().allMatch(e -> e.length() <= 8193), "every example fits");
    double lossFraction = examples.stream().mapToDouble(e -> (double) e.lossTokens() / e.length()).average().orElse(1);
    assertTrue(lossFraction < 0.05, "long-document QA is sparse in loss tokens: " + lossFraction);
  }

  /** A generator that fails at chunk {@code failAt}, as a crash would. */
  static QaGenerator crashingAt(int failAt) {
    ExtractiveGenerator inner = new ExtractiveGenerator();
    AtomicInteger calls = new AtomicInteger();
    return new QaGenerator() {
      @Override
      public String name() {
        return "extractive";
      }

      @Override
      public int concurrency() {
        return 1;
      }

      @Override
      public QaPair generate(Chunk chunk) {
        if (calls.getAndIncrement() == failAt) {
          throw new IllegalStateException("crash");
        }
        return inner.generate(chunk);
      }
    };
  }

  @Test
  void anInterruptedRunLeavesAValidPartialFileThatARerunCompletes(@TempDir Path dir) throws IOException {
    List<Document> books = new DocumentReader(BadInputPolicy.fail()).bundled().subList(0, 3);
    Path out = dir.resolve("qa.jsonl");
    Chunker chunker = new Chunker(BYTES, 500);
    assertThrows(IllegalStateException.class, () -> new QaGeneration(books, chunker, crashingAt(7), out, 4).run((d, t) -> { }));
    assertEquals(7, QaFile.read(out, BadInputPolicy.fail()).size(), "the finished lines are intact");
    Files.writeString(out, "{\"book\": \"torn", java.nio.file.StandardOpenOption.APPEND); // a crash mid-write
    QaGeneration.Summary s = new QaGeneration(books, chunker, new ExtractiveGenerator(), out, 4).run((d, t) -> { });
    assertTrue(s.repairedTail());
    assertEquals(7, s.alreadyDone());
    assertEquals(s.chunks(), QaFile.read(out, BadInputPolicy.fail()).size());
    Path fresh = dir.resolve("fresh.jsonl");
    new QaGeneration(books, chunker, new ExtractiveGenerator(), fresh, 4).run((d, t) -> { });
    assertEquals(Files.readAllLines(fresh), Files.readAllLines(out), "the resumed file equals an uninterrupted one");
  }

  /** An OpenAI-compatible endpoint that answers each request with the next scripted behaviour. */
  String serve(List<String> script) throws IOException {
    AtomicInteger next = new AtomicInteger();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/chat/completions", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String step = script.get(Math.min(next.getAndIncrement(), script.size() - 1));
      int status = 200;
      String reply;
      switch (step) {
        case "500" -> {
          status = 500;
          reply = "{\"error\": \"overloaded\"}";
        }
        case "slow" -> {
          sleep(1500);
          reply = completion("{\\\"question\\\": \\\"late?\\\", \\\"answer\\\": \\\"late\\\"}");
        }
        case "malformed" -> reply = "{\"choices\": [{\"message\": {\"content\": \"I cannot help with that.\"}}]}";
        default -> reply = completion("{\\\"question\\\": \\\"What did Ishmael do?\\\", \\\"answer\\\": \\\"He went to sea.\\\"}");
      }
      if (!body.contains("\"messages\"") || !body.contains("Passage:")) {
        status = 400;
        reply = "{\"error\": \"bad request\"}";
      }
      byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(bytes);
      }
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  static String completion(String content) {
    return "{\"id\": \"x\", \"object\": \"chat.completion\", \"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": \""
        + content + "\"}, \"finish_reason\": \"stop\"}]}";
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static final Chunk CHUNK = new Chunk("moby-dick", 0, "Call me Ishmael. I went to sea.", Map.of());

  @Test
  void openAiClientRetriesA500ATimeoutAndAMalformedReply() throws IOException {
    String url = serve(List.of("500", "slow", "malformed", "ok"));
    OpenAiGenerator g = new OpenAiGenerator(new OpenAiGenerator.Settings(url, "test", Duration.ofMillis(500), 4, 2));
    QaPair p = g.generate(CHUNK);
    assertEquals(new QaPair("What did Ishmael do?", "He went to sea."), p);
  }

  @Test
  void openAiClientGivesUpWithAClearError() throws IOException {
    String url = serve(List.of("500", "malformed", "slow"));
    OpenAiGenerator g = new OpenAiGenerator(new OpenAiGenerator.Settings(url, "test", Duration.ofMillis(300), 3, 1));
    GeneratorFailedException e = assertThrows(GeneratorFailedException.class, () -> g.generate(CHUNK));
    assertTrue(e.getMessage().contains("openai:" + url) && e.getMessage().contains("moby-dick chunk 0")
        && e.getMessage().contains("after 3 attempt(s)") && e.getMessage().contains("timed out"), e.getMessage());
    List<String> seen = new ArrayList<>();
    seen.add(e.getMessage());
    assertEquals(1, seen.size());
  }

  @Test
  void openAiGenerationEndToEnd(@TempDir Path dir) throws IOException {
    String url = serve(List.of("ok"));
    List<Document> books = List.of(new Document("moby", "Call me Ishmael. ".repeat(200), Map.of(), "t"));
    Path out = dir.resolve("qa.jsonl");
    QaGeneration.Summary s = new QaGeneration(books, new Chunker(BYTES, 400),
        new OpenAiGenerator(new OpenAiGenerator.Settings(url, "m", Duration.ofSeconds(5), 2, 3)), out, 0).run((d, t) -> { });
    assertEquals(s.chunks(), QaFile.read(out, BadInputPolicy.fail()).size());
    assertTrue(QaFile.read(out, BadInputPolicy.fail()).stream().allMatch(r -> r.generator().equals("openai:" + url)));
  }
}

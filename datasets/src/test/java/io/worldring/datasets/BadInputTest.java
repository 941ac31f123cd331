package io.worldring.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.datasets.source.BookStream;
import io.worldring.model.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad record: an error naming file and line, or (policy skip) a counted, reported skip. */
class BadInputTest {
  static final ChatTemplate CHAT = new ChatTemplate(new ByteTokenizer());

  static void assertFails(Runnable r, String... parts) {
    BadInputException e = assertThrows(BadInputException.class, r::run);
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
    }
  }

  @Test
  void booksJsonl(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("books.jsonl");
    Files.writeString(f, "{\"text\": \"A good book.\", \"year\": 1851}\n"
        + "{\"text\": \"broken\"\n"
        + "{\"title\": \"no text\"}\n"
        + "{\"text\": \"   \"}\n"
        + "[1, 2]\n"
        + "{\"text\": \"Another good one.\"}\n");
    assertFails(() -> new DocumentReader(BadInputPolicy.fail()).read(f), f + ":2", "malformed JSON");
    BadInputPolicy skip = BadInputPolicy.skip();
    List<Document> docs = new DocumentReader(skip).read(f);
    assertEquals(2, docs.size());
    assertEquals("1851", docs.get(0).metadata().get("year"));
    assertEquals(4, skip.skipped());
    String report = skip.report();
    assertTrue(report.contains(f + ":2: malformed JSON") && report.contains(f + ":3: missing or non-string \"text\" field")
        && report.contains(f + ":4: empty document") && report.contains(f + ":5: not a JSON object"), report);
  }

  @Test
  void invalidUtf8AndHugeDocuments(@TempDir Path dir) throws IOException {
    Path txt = dir.resolve("latin1.txt");
    Files.write(txt, new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n'});
    assertFails(() -> new DocumentReader(BadInputPolicy.fail()).read(txt), txt.toString(), "invalid UTF-8");
    Path jsonl = dir.resolve("bad.jsonl");
    Files.write(jsonl, concat("{\"text\": \"ok\"}\n{\"text\": \"caf".getBytes(), new byte[] {(byte) 0xE9}, "\"}\n".getBytes()));
    assertFails(() -> new DocumentReader(BadInputPolicy.fail()).read(jsonl), jsonl + ":2", "invalid UTF-8");
    Path big = dir.resolve("big.txt");
    Files.writeString(big, "x".repeat(2000));
    assertFails(() -> new DocumentReader(BadInputPolicy.fail(), 1000).read(big), big.toString(), "over the limit of 1000");
    assertFails(() -> new DocumentReader(BadInputPolicy.fail()).read(dir.resolve("nowhere")), "nowhere: no such file or directory");
    Path bigger = dir.resolve("bigger.txt");
    Files.writeString(bigger, "x".repeat(4001)); // over 4 bytes a character: refused without reading it
    assertFails(() -> new DocumentReader(BadInputPolicy.fail(), 1000).read(bigger), bigger.toString(), "file of 4001 bytes is over the limit");
  }

  @Test
  void overlongLinesAreSkippedWithoutBeingHeld() throws IOException {
    String overlong = "{\"text\": \"" + "y".repeat(100) + "\"}";
    byte[] lines = ("{\"text\": \"short\"}\n" + overlong + "\n{\"text\": \"after\"}").getBytes();
    BadInputPolicy skip = BadInputPolicy.skip();
    List<String> texts = new java.util.ArrayList<>();
    JsonLines.read(new java.io.ByteArrayInputStream(lines), "long.jsonl", skip, (node, line) -> texts.add(node.get("text").asText()), 64);
    assertEquals(List.of("short", "after"), texts);
    assertEquals(List.of("long.jsonl:2: line of " + overlong.length() + " bytes is over the limit of 64"), skip.reasons());
    assertFails(() -> {
      try {
        JsonLines.read(new java.io.ByteArrayInputStream(lines), "long.jsonl", BadInputPolicy.fail(), (node, line) -> { }, 64);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, "long.jsonl:2: line of " + overlong.length() + " bytes");
  }

  @Test
  void ultraChatRecords(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("chat.jsonl");
    Files.writeString(f, "{\"id\": 1, \"data\": [\"hi\", \"hello\"]}\n"
        + "{\"id\": 2, \"data\": \"not a list\"}\n"
        + "{\"id\": 3, \"data\": [\"only a question\"]}\n"
        + "{\"id\": 4, \"data\": [\"q\", 5]}\n"
        + "{\"id\": 5, \"data\": [\"q\", \"a\", \"dangling\"]}\n");
    assertFails(() -> UltraChat.read(f, CHAT, BadInputPolicy.fail()), f + ":2", "missing \"data\" array");
    BadInputPolicy skip = BadInputPolicy.skip();
    List<Example> ok = UltraChat.read(f, CHAT, skip);
    assertEquals(2, ok.size(), "records 1 and 5 (its dangling user turn dropped)");
    assertEquals(3, skip.skipped());
    assertTrue(skip.report().contains(f + ":3: a dialogue needs at least one user turn") && skip.report().contains(f + ":4:"), skip.report());
  }

  @Test
  void aBookShorterThanTheStage() {
    List<Document> docs = List.of(new Document("short", "tiny book", java.util.Map.of(), "short.txt"));
    assertFails(() -> new BookStream(docs, new ByteTokenizer(), 64, 1000, 1), "no book has at least 1000 tokens", "has 9");
  }

  @Test
  void policyNames() {
    assertFails(() -> BadInputPolicy.parse("ignore"), "must be fail or skip");
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}

package io.worldring.datasets;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.datasets.qa.QaFile;
import io.worldring.model.BadInputException;
import io.worldring.model.fuzz.CleanFailure;
import io.worldring.model.fuzz.FuzzCorpus;
import io.worldring.model.fuzz.FuzzSeed;
import io.worldring.model.fuzz.Mutations.Mutant;
import io.worldring.model.fuzz.Mutations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * UltraChat, QA and books files (JSON Lines, and plain text) mutated from valid ones. Under the fail policy
 * a bad record stops the read with the file and line; under the skip policy reading never fails, and what is
 * skipped is counted with its file and line.
 */
class JsonLinesFuzzTest {
  static final ChatTemplate CHAT = new ChatTemplate(new ByteTokenizer());
  static final String ULTRACHAT = """
      {"id": "u1", "data": ["What is a ring?", "A set of devices passing blocks.", "Why?", "To spread attention."]}
      {"id": 2, "data": ["Hello", "Hi there"]}
      {"data": ["One", "Two", "A trailing user turn"]}
      """;
  static final String QA = """
      {"book": "moby", "chunk": 0, "text": "Call me Ishmael.", "question": "Who speaks?", "answer": "Ishmael", "generator": "extractive"}
      {"book": "moby", "chunk": 1, "text": "Some years ago.", "question": "When?", "answer": "Years ago"}
      """;
  static final String BOOKS = """
      {"id": "b1", "title": "One", "text": "It was the best of times.", "year": 1859}
      {"text": "A second document, without an id.", "author": null}
      """;
  private static Path dir;

  @BeforeContainer
  static void seed() throws IOException {
    dir = Files.createTempDirectory("jsonl-fuzz");
  }

  @AfterContainer
  static void clean() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * Reads {@code m} as {@code name} with both policies: fail refuses naming the file and line, or reads; skip
   * always reads.
   */
  static void check(String format, String name, Mutant m, Function<BadInputPolicy, Object> read, boolean lines) throws IOException {
    Path f = Files.write(dir.resolve(name), m.bytes());
    long limit = (16L << 20) + 64L * m.bytes().length;
    BadInputException e = CleanFailure.check(BadInputException.class, f.toString(), limit, () -> read.apply(BadInputPolicy.fail()));
    if (e != null) {
      if (lines) {
        assertTrue(e.getMessage().startsWith(f + ":") && e.getMessage().matches("(?s)[^ ]*:\\d+: .*"), "names the line: " + e.getMessage());
      }
      FuzzCorpus.keep(format, Integer.toHexString(Arrays.hashCode(m.bytes())) + "-" + name, m);
    }
    BadInputPolicy skip = BadInputPolicy.skip();
    assertNull(CleanFailure.check(BadInputException.class, f.toString(), limit, () -> read.apply(skip)), "skipping never fails");
    assertTrue(e == null || skip.skipped() > 0, "what fails one policy is skipped by the other");
    assertTrue(skip.reasons().stream().allMatch(r -> r.startsWith(f.toString())), "skips name the file: " + skip.reasons());
  }

  @Property(tries = 300, seed = FuzzSeed.VALUE)
  void ultraChat(@ForAll("ultraChats") Mutant m) throws IOException {
    check("ultrachat", "ultrachat.jsonl", m, policy -> UltraChat.read(dir.resolve("ultrachat.jsonl"), CHAT, policy), true);
  }

  @Provide
  Arbitrary<Mutant> ultraChats() {
    return Mutations.jsonLines(ULTRACHAT, "[\"a\", \"b\"]", "[\"a\", 1]");
  }

  @Property(tries = 300, seed = FuzzSeed.VALUE)
  void qa(@ForAll("qas") Mutant m) throws IOException {
    check("qa", "qa.jsonl", m, policy -> QaFile.read(dir.resolve("qa.jsonl"), policy), true);
  }

  @Provide
  Arbitrary<Mutant> qas() {
    return Mutations.jsonLines(QA, "\"moby\"", "3");
  }

  @Property(tries = 300, seed = FuzzSeed.VALUE)
  void booksJsonLines(@ForAll("books") Mutant m) throws IOException {
    check("books-jsonl", "books.jsonl", m, policy -> new DocumentReader(policy).read(dir.resolve("books.jsonl")), true);
  }

  @Provide
  Arbitrary<Mutant> books() {
    return Mutations.jsonLines(BOOKS, "\"text\"");
  }

  @Property(tries = 200, seed = FuzzSeed.VALUE)
  void booksText(@ForAll("texts") Mutant m) throws IOException {
    check("books-txt", "book.txt", m, policy -> new DocumentReader(policy).read(dir.resolve("book.txt")), false);
  }

  @Provide
  Arbitrary<Mutant> texts() {
    byte[] text = "Call me Ishmael. Some years ago\u2014never mind how long precisely\u2014having little money.\n"
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return Mutations.bytes(text, text.length);
  }
}

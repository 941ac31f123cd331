package io.worldring.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.datasets.source.BookStream;
import io.worldring.datasets.source.LossWeighting;
import io.worldring.datasets.source.MixtureStream;
import io.worldring.datasets.source.NeedleExamples;
import io.worldring.datasets.source.PackedStream;
import io.worldring.datasets.source.SequenceStream;
import io.worldring.datasets.source.ShuffledExamples;
import io.worldring.model.BadInputException;
import io.worldring.model.train.TrainingSequence;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Every stream resumes exactly: k sequences, save, restore into a fresh object, identical from then on. */
class ResumeTest {
  static final ByteTokenizer BYTES = new ByteTokenizer();
  static final ChatTemplate CHAT = new ChatTemplate(BYTES);
  static final List<Document> BOOKS = new DocumentReader(BadInputPolicy.fail()).bundled().subList(0, 12);

  static void assertResumes(Supplier<SequenceStream> make, int k, int more) throws Exception {
    SequenceStream first = make.get();
    for (int i = 0; i < k; i++) {
      first.next();
    }
    // Through JSON text, as a checkpoint would store it.
    JsonNode state = new ObjectMapper().readTree(first.state().toString());
    SequenceStream second = make.get();
    second.restore(state);
    for (int i = 0; i < more; i++) {
      TrainingSequence a = first.next();
      TrainingSequence b = second.next();
      assertArrayEquals(a.tokens(), b.tokens(), "sequence " + (k + i));
      assertArrayEquals(a.targets(), b.targets());
      assertArrayEquals(a.weights(), b.weights());
      assertArrayEquals(a.positions(), b.positions());
      assertArrayEquals(a.segments(), b.segments());
    }
  }

  @Test
  void books() throws Exception {
    assertResumes(() -> new BookStream(BOOKS, BYTES, 4096, 10_000, 7), 37, 10);
  }

  @Test
  void booksAcrossAnEpoch() throws Exception {
    List<Document> small = List.of(new Document("a", "alpha ".repeat(50), java.util.Map.of(), "t"),
        new Document("b", "beta ".repeat(70), java.util.Map.of(), "t"));
    BookStream s = new BookStream(small, BYTES, 64, 0, 3);
    assertEquals(2, s.documents());
    assertResumes(() -> new BookStream(small, BYTES, 64, 0, 3), 13, 20);
  }

  @Test
  void packedChatAndQa() throws Exception {
    List<Example> chats = UltraChat.bundled(CHAT, BadInputPolicy.fail());
    assertResumes(() -> new PackedStream(new ShuffledExamples("chat", chats, 5), 1024, BYTES.pad(), LossWeighting.PER_EXAMPLE), 23, 10);
  }

  @Test
  void needles() throws Exception {
    assertResumes(() -> new PackedStream(new NeedleExamples(BOOKS, CHAT, 900, 2, 11), 1024, BYTES.pad(), LossWeighting.PER_EXAMPLE), 5, 5);
  }

  @Test
  void mixture() throws Exception {
    List<Example> chats = UltraChat.bundled(CHAT, BadInputPolicy.fail());
    Supplier<SequenceStream> make = () -> new MixtureStream(List.of(
        new PackedStream(new ShuffledExamples("chat", chats, 5), 1024, BYTES.pad(), LossWeighting.PER_EXAMPLE),
        new PackedStream(new NeedleExamples(BOOKS, CHAT, 900, 1, 2), 1024, BYTES.pad(), LossWeighting.PER_EXAMPLE)),
        new double[] {7, 3}, 99);
    assertResumes(make, 17, 12);
  }

  @Test
  void aStateFromElsewhereIsRefused() throws Exception {
    BookStream s = new BookStream(BOOKS, BYTES, 4096, 10_000, 7);
    BadInputException e = assertThrows(BadInputException.class, () -> s.restore(new ObjectMapper().readTree("{\"epoch\": 0}")));
    assertEquals("books state lacks 'doc': {\"epoch\":0}", e.getMessage());
  }
}

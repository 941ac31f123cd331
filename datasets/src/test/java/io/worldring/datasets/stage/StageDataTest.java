package io.worldring.datasets.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.worldring.config.HoconRecords;
import io.worldring.datasets.source.LossWeighting;
import io.worldring.datasets.source.SequenceStream;
import io.worldring.model.BadInputException;
import io.worldring.model.train.TrainingSequence;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A stage's stream from its config: resumable through a checkpoint, seeded, and strict about bad mixes. */
class StageDataTest {
  static final DataMix BOOKS = new DataMix("bytes", "", -1, 1.0, "", 0, "", 1000, 0, 0, LossWeighting.PER_EXAMPLE, "fail");
  static final DataMix CHAT = new DataMix("bytes", "", -1, 0, "", 0.7, "", 200, 0.3, 0, LossWeighting.PER_EXAMPLE, "fail");
  static final DataMix ALL = new DataMix("bytes", "", 0, 0.4, "", 0.3, "", 200, 0.2, 0.1, LossWeighting.PER_TOKEN, "skip");
  /** The data.vision section of a text stage (reference.conf's defaults). */
  static final String NO_VISION = " vision {\n tokenizer = \"\"\n frame-size = 32\n codes-per-frame = 16\n codebook-size = 256\n"
      + " world = tiny\n frames = -1\n qa-weight = 0\n caption-weight = 0\n video-caption-weight = 0\n text-fraction = 0.16\n"
      + " loss-share = 0.5\n questions-per-video = 4\n question-types = []\n }\n";

  static void assertSame(TrainingSequence a, TrainingSequence b, String what) {
    assertArrayEquals(a.tokens(), b.tokens(), what);
    assertArrayEquals(a.targets(), b.targets(), what);
    assertArrayEquals(a.weights(), b.weights(), what);
    assertArrayEquals(a.positions(), b.positions(), what);
    assertArrayEquals(a.segments(), b.segments(), what);
  }

  /** k sequences, state through JSON text (as a checkpoint stores it), restore into a fresh stream, same from then on. */
  static void assertResumes(DataMix mix, int seqLen, int k, int more) throws Exception {
    SequenceStream first = StageData.open(mix, seqLen, 5);
    for (int i = 0; i < k; i++) {
      first.next();
    }
    JsonNode state = new ObjectMapper().readTree(first.state().toString());
    SequenceStream second = StageData.open(mix, seqLen, 5);
    second.restore(state);
    for (int i = 0; i < more; i++) {
      assertSame(first.next(), second.next(), "sequence " + (k + i));
    }
  }

  @Test
  void booksOnlyResumes() throws Exception {
    assertResumes(BOOKS, 256, 5, 5);
  }

  @Test
  void chatAndQaResumes() throws Exception {
    assertResumes(CHAT, 512, 5, 5);
  }

  @Test
  void allFourPartsResume() throws Exception {
    assertResumes(ALL, 512, 11, 10);
  }

  @Test
  void theSeedDecides() {
    for (DataMix mix : new DataMix[] {BOOKS, CHAT}) {
      SequenceStream a = StageData.open(mix, 256, 1);
      SequenceStream b = StageData.open(mix, 256, 1);
      SequenceStream c = StageData.open(mix, 256, 2);
      boolean differs = false;
      for (int i = 0; i < 3; i++) {
        TrainingSequence x = a.next();
        assertSame(x, b.next(), "same seed, sequence " + i);
        differs |= !Arrays.equals(x.tokens(), c.next().tokens());
      }
      assertTrue(differs, "seeds 1 and 2 gave the same sequences for " + StageData.describe(mix));
    }
  }

  @Test
  void aMinimumAboveEveryBookIsAnError() {
    DataMix tooLong = new DataMix("bytes", "", 100_000_000, 1.0, "", 0, "", 1000, 0, 0, LossWeighting.PER_EXAMPLE, "fail");
    BadInputException e = assertThrows(BadInputException.class, () -> StageData.open(tooLong, 256, 1));
    assertTrue(e.getMessage().contains("no book has at least 100000000 tokens"), e.getMessage());
    assertTrue(e.getMessage().startsWith("data.books (the bundled books), data.min-doc-tokens 100000000: "), e.getMessage());
    DataMix qaOnly = new DataMix("bytes", "", 100_000_000, 0, "", 0, "", 1000, 1.0, 0, LossWeighting.PER_EXAMPLE, "fail");
    e = assertThrows(BadInputException.class, () -> StageData.open(qaOnly, 256, 1));
    assertTrue(e.getMessage().contains("no book has at least 100000000 tokens"), e.getMessage());
  }

  @Test
  void weightsMustBeNonNegativeAndNotAllZero() {
    BadInputException e = assertThrows(BadInputException.class,
        () -> new DataMix("bytes", "", -1, 0, "", 0, "", 1000, 0, 0, LossWeighting.PER_EXAMPLE, "fail"));
    assertTrue(e.getMessage().contains("are all 0"), e.getMessage());
    e = assertThrows(BadInputException.class,
        () -> new DataMix("bytes", "", -1, 1, "", -0.5, "", 1000, 0, 0, LossWeighting.PER_EXAMPLE, "fail"));
    assertEquals("data.chat-weight must be >= 0, got -0.5", e.getMessage());
    e = assertThrows(BadInputException.class,
        () -> new DataMix("bytes", "", -1, 1, "", 0, "", 1000, 0, 0, LossWeighting.PER_EXAMPLE, "ignore"));
    assertEquals("data.bad-input must be fail or skip, got 'ignore'", e.getMessage());
  }

  @Test
  void chatMixCarriesSomeLossButNotEverywhere() {
    SequenceStream s = StageData.open(CHAT, 512, 3);
    long loss = 0;
    long tokens = 0;
    for (int i = 0; i < 40; i++) {
      for (float w : s.next().weights()) {
        loss += w > 0 ? 1 : 0;
        tokens++;
      }
    }
    double fraction = (double) loss / tokens;
    assertTrue(fraction > 0.05 && fraction < 0.8, "loss-token fraction " + fraction);
  }

  @Test
  void aStateFromAnotherMixIsRefused() {
    SequenceStream chat = StageData.open(CHAT, 512, 1);
    chat.next();
    DataMix chatAndNeedles = new DataMix("bytes", "", -1, 0, "", 0.7, "", 200, 0, 0.3, LossWeighting.PER_EXAMPLE, "fail");
    SequenceStream other = StageData.open(chatAndNeedles, 512, 1);
    BadInputException e = assertThrows(BadInputException.class, () -> other.restore(chat.state()));
    assertTrue(e.getMessage().startsWith("the data state is for parts [ultrachat, qa] but this stage mixes [ultrachat, needles]"),
        e.getMessage());
  }

  @Test
  void mapsFromHocon() {
    String text = "data {\n tokenizer = bytes\n books = \"\"\n min-doc-tokens = -1\n books-weight = 0\n chats = \"\"\n"
        + " chat-weight = 0.7\n qa = \"\"\n qa-chunk-tokens = 1000\n qa-weight = 0.3\n needle-weight = 0\n"
        + " weighting = per-example\n bad-input = fail\n" + NO_VISION + "}\n";
    DataMix mix = HoconRecords.read(ConfigFactory.parseString(text), "data", DataMix.class);
    assertEquals(new DataMix("bytes", "", -1, 0, "", 0.7, "", 1000, 0.3, 0, LossWeighting.PER_EXAMPLE, "fail"), mix);
    assertEquals("ultrachat (bundled sample) 0.7, qa (extractive, 1000-token chunks of the bundled books, >= seq-len tokens) 0.3;"
        + " bytes tokens, per-example loss", StageData.describe(mix));
    BadInputException e = assertThrows(BadInputException.class,
        () -> HoconRecords.read(ConfigFactory.parseString(text.replace("chat-weight = 0.7", "chat-weight = -1")), "data", DataMix.class));
    assertTrue(e.getMessage().endsWith("data.chat-weight must be >= 0, got -1.0"), e.getMessage());
  }

  @Test
  void describesBooksOnly() {
    assertEquals("books (the bundled books, >= seq-len tokens) 1.0; bytes tokens, per-example loss", StageData.describe(BOOKS));
    assertFalse(StageData.describe(ALL).isEmpty());
  }
}

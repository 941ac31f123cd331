package io.worldring.datasets;

import io.worldring.datasets.qa.QaFile;
import io.worldring.datasets.vision.VisionInput;
import io.worldring.model.BadInputException;
import io.worldring.model.fuzz.CleanFailure;
import io.worldring.model.fuzz.FuzzCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays {@code src/test/resources/fuzz-corpus/}: inputs that exposed a bug in a reader (named after it; two of
 * the tokenizer files used to abort the JVM, three of the MP4 files to hang it) and representative ones the
 * properties found. Each must be refused with a BadInputException naming the file.
 */
class FuzzCorpusTest {
  /** As the media property allows: a few frames of the largest image accepted, far below what a hostile header claims. */
  static final long MEDIA_ALLOCATION_LIMIT = 4L << 30;

  @TempDir
  Path dir;

  void replay(String format, String name, long allocationLimit, Callable<Object> parse) throws IOException {
    Path target = dir.resolve(name);
    for (Path corpus : FuzzCorpus.files(FuzzCorpusTest.class, format)) {
      Files.copy(corpus, target, StandardCopyOption.REPLACE_EXISTING);
      try {
        CleanFailure.refused(BadInputException.class, target.toString(), allocationLimit, parse);
      } catch (AssertionError e) {
        throw new AssertionError(format + "/" + corpus.getFileName() + ": " + e.getMessage(), e);
      }
    }
  }

  void replayText(String format, String name, Callable<Object> parse) throws IOException {
    replay(format, name, 64L << 20, parse);
  }

  @Test
  void tokenizerJson() throws IOException {
    replayText("tokenizer-json", "tokenizer.json", () -> {
      try (HfTokenizer t = HfTokenizer.load(dir.resolve("tokenizer.json"))) { // used as the property uses it: panics hide there
        t.decode(t.encode("Hello, world! \u00dcn\u00efcode \u2603"));
        t.decode(new int[] {t.bos(), t.eos(), t.pad()});
      }
      return null;
    });
  }

  @Test
  void ultraChat() throws IOException {
    replayText("ultrachat", "chats.jsonl", () -> UltraChat.read(dir.resolve("chats.jsonl"), new ChatTemplate(new ByteTokenizer()), BadInputPolicy.fail()));
  }

  @Test
  void qa() throws IOException {
    replayText("qa", "qa.jsonl", () -> QaFile.read(dir.resolve("qa.jsonl"), BadInputPolicy.fail()));
  }

  @Test
  void books() throws IOException {
    replayText("books-jsonl", "books.jsonl", () -> new DocumentReader(BadInputPolicy.fail()).read(dir.resolve("books.jsonl")));
    replayText("books-txt", "book.txt", () -> new DocumentReader(BadInputPolicy.fail()).read(dir.resolve("book.txt")));
  }

  @Test
  void images() throws IOException {
    replay("png", "image.png", MEDIA_ALLOCATION_LIMIT, () -> VisionInput.image(dir.resolve("image.png"), 8));
    replay("jpeg", "image.jpg", MEDIA_ALLOCATION_LIMIT, () -> VisionInput.image(dir.resolve("image.jpg"), 8));
  }

  @Test
  void videos() throws IOException {
    replay("gif", "video.gif", MEDIA_ALLOCATION_LIMIT, () -> VisionInput.video(dir.resolve("video.gif"), 4, 8));
    replay("mp4", "video.mp4", MEDIA_ALLOCATION_LIMIT, () -> VisionInput.video(dir.resolve("video.mp4"), 4, 8));
  }
}

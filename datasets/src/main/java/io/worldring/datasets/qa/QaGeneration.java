package io.worldring.datasets.qa;

import io.worldring.datasets.BadInputPolicy;
import io.worldring.datasets.Document;
import io.worldring.model.BadInputException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code worldring qa generate}: every chunk of every book gets one QA pair, appended to the output as
 * it arrives (and flushed), at most {@code concurrency} chunks in flight. Resumable: chunks already in
 * the output are skipped, and a torn last line left by a crash is cut off first, so a re-run completes
 * a partial file.
 */
public final class QaGeneration {
  /** What a run did. */
  public record Summary(int chunks, int alreadyDone, int written, boolean repairedTail) {}

  /** Told after each written record. */
  public interface Progress {
    void written(int done, int total);
  }

  private final List<Document> books;
  private final Chunker chunker;
  private final QaGenerator generator;
  private final Path out;
  private final int limit;

  /** @param limit at most this many chunks per book (0: all) */
  public QaGeneration(List<Document> books, Chunker chunker, QaGenerator generator, Path out, int limit) {
    this.books = books;
    this.chunker = chunker;
    this.generator = generator;
    this.out = out;
    this.limit = limit;
  }

  public Summary run(Progress progress) {
    boolean repaired;
    Set<String> done = new HashSet<>();
    try {
      repaired = QaFile.repairTail(out);
      if (Files.exists(out)) {
        for (QaRecord r : QaFile.read(out, BadInputPolicy.fail())) {
          done.add(key(r.book(), r.chunk()));
        }
      }
    } catch (IOException e) {
      throw new BadInputException(out + ": cannot read (" + e.getMessage() + ")", e);
    }
    List<Chunk> todo = new ArrayList<>();
    int total = 0;
    for (Document d : books) {
      List<Chunk> chunks = chunker.chunks(d);
      for (Chunk c : limit > 0 ? chunks.subList(0, Math.min(limit, chunks.size())) : chunks) {
        total++;
        if (!done.contains(key(c.book(), c.index()))) {
          todo.add(c);
        }
      }
    }
    int already = total - todo.size();
    int written = 0;
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, generator.concurrency()), r -> {
      Thread t = new Thread(r, "qa-generate");
      t.setDaemon(true);
      return t;
    });
    try (OutputStream file = Files.newOutputStream(out, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      List<Future<QaRecord>> futures = new ArrayList<>();
      for (Chunk c : todo) {
        futures.add(pool.submit(() -> {
          QaPair p = generator.generate(c);
          return new QaRecord(c.book(), c.index(), c.text(), p.question(), p.answer(), generator.name());
        }));
      }
      for (Future<QaRecord> f : futures) {
        QaRecord r = await(f);
        file.write(QaFile.bytes(r));
        file.flush();
        written++;
        progress.written(already + written, total);
      }
    } catch (IOException e) {
      throw new BadInputException(out + ": cannot write (" + e.getMessage() + ")", e);
    } finally {
      pool.shutdownNow();
    }
    return new Summary(total, already, written, repaired);
  }

  private static QaRecord await(Future<QaRecord> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BadInputException("interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private static String key(String book, int chunk) {
    return book + "#" + chunk;
  }
}

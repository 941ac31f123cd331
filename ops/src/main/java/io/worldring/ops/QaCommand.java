package io.worldring.ops;

import io.worldring.datasets.BadInputPolicy;
import io.worldring.datasets.Document;
import io.worldring.datasets.DocumentReader;
import io.worldring.datasets.Tokenizer;
import io.worldring.datasets.Tokenizers;
import io.worldring.datasets.qa.Chunker;
import io.worldring.datasets.qa.QaGeneration;
import io.worldring.datasets.qa.QaGenerator;
import io.worldring.datasets.qa.QaGenerators;
import io.worldring.model.BadInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "qa", mixinStandardHelpOptions = true, description = "Model-generated long-context QA data.",
    subcommands = {QaCommand.Generate.class})
final class QaCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new BadInputException("qa needs a subcommand: generate (see worldring qa --help)");
  }

  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = {"Split books into chunks and write one question-answer pair per chunk to a JSONL file.",
          "Resumable: chunks already in --out are skipped, so a re-run completes an interrupted file.",
          "Generators: extractive (built from the text), openai:URL (an OpenAI-compatible chat endpoint,",
          "e.g. openai:http://127.0.0.1:8080/v1), checkpoint:DIR (a worldring checkpoint, in process)."})
  static final class Generate implements Callable<Integer> {
    @Option(names = "--books", required = true, paramLabel = "DIR|bundled",
        description = "A directory of .txt/.jsonl books, a file, or 'bundled' (Moby-Dick and the State of the Union addresses)")
    String books;

    @Option(names = "--generator", defaultValue = "extractive", description = "extractive, openai:URL or checkpoint:DIR (default: ${DEFAULT-VALUE})")
    String generator;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "QA JSONL output (appended to when it exists)")
    Path out;

    @Option(names = "--chunk-tokens", defaultValue = "1000", description = "Tokens per chunk (default: ${DEFAULT-VALUE}, as LWM)")
    int chunkTokens;

    @Option(names = "--tokenizer", defaultValue = "bytes", description = "bytes, or a tokenizer.json (default: ${DEFAULT-VALUE})")
    String tokenizer;

    @Option(names = "--limit", defaultValue = "0", description = "At most this many chunks per book (0: all)")
    int limit;

    @Option(names = "--concurrency", defaultValue = "4", description = "openai: requests in flight (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--timeout", defaultValue = "60", description = "openai: seconds per request (default: ${DEFAULT-VALUE})")
    int timeout;

    @Option(names = "--attempts", defaultValue = "3", description = "Tries per chunk before failing (default: ${DEFAULT-VALUE})")
    int attempts;

    @Option(names = "--model", defaultValue = "default", description = "openai: the model name to request (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--on-bad-input", defaultValue = "fail", description = "fail or skip bad book records (default: ${DEFAULT-VALUE})")
    String onBadInput;

    @Override
    public Integer call() {
      BadInputPolicy policy = BadInputPolicy.parse(onBadInput);
      DocumentReader reader = new DocumentReader(policy);
      List<Document> docs = books.equals("bundled") ? reader.bundled() : reader.read(Path.of(books));
      Tokenizer tok = Tokenizers.load(tokenizer);
      QaGenerators.Options options = new QaGenerators.Options(model, Duration.ofSeconds(timeout), attempts, concurrency, 96);
      try (QaGenerator gen = QaGenerators.create(generator, tok, options)) {
        long start = System.nanoTime();
        QaGeneration.Summary s = new QaGeneration(docs, new Chunker(tok, chunkTokens), gen, out, limit).run((done, total) -> {
          if (done % 100 == 0 || done == total) {
            System.err.printf(Locale.ROOT, "qa: %d/%d chunks%n", done, total);
          }
        });
        System.err.printf(Locale.ROOT, "qa: %d books, %d chunks: %d already in %s, %d written in %.1f s%s; %s%n", docs.size(), s.chunks(),
            s.alreadyDone(), out, s.written(), (System.nanoTime() - start) / 1e9, s.repairedTail() ? " (a torn last line was cut off)" : "",
            policy.report());
      }
      return 0;
    }
  }
}

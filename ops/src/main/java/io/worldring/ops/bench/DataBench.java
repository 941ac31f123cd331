package io.worldring.ops.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.datasets.BadInputPolicy;
import io.worldring.datasets.ChatTemplate;
import io.worldring.datasets.Document;
import io.worldring.datasets.DocumentReader;
import io.worldring.datasets.Example;
import io.worldring.datasets.Tokenizer;
import io.worldring.datasets.UltraChat;
import io.worldring.datasets.qa.Chunker;
import io.worldring.datasets.qa.ExtractiveGenerator;
import io.worldring.datasets.qa.QaExamples;
import io.worldring.datasets.qa.QaRecord;
import io.worldring.datasets.source.BookStream;
import io.worldring.datasets.source.LossWeighting;
import io.worldring.datasets.source.MixtureStream;
import io.worldring.datasets.source.PackedStream;
import io.worldring.datasets.source.SequenceStream;
import io.worldring.datasets.source.ShuffledExamples;
import io.worldring.model.train.TrainingSequence;
import java.util.ArrayList;
import java.util.List;

/**
 * The data pipeline on the bundled corpus: tokens/s of pretraining sequences from books, of packed
 * UltraChat, of QA sequences and of LWM's 7:3 chat mixture, and the fraction of each kind's tokens that
 * carry a loss (UltraChat is dense in loss tokens, long-document QA sparse: why LWM packs them apart).
 */
public final class DataBench {
  private DataBench() {}

  public static void measure(ObjectNode out, Tokenizer tokenizer, int seqLen, int sequences) {
    ChatTemplate chat = new ChatTemplate(tokenizer);
    long t0 = System.nanoTime();
    List<Document> books = new DocumentReader(BadInputPolicy.fail()).bundled();
    out.put("read_books_seconds", (System.nanoTime() - t0) / 1e9);
    out.put("books", books.size());

    t0 = System.nanoTime();
    BookStream pretraining = new BookStream(books, tokenizer, seqLen, seqLen, 1);
    out.put("tokenize_books_seconds", (System.nanoTime() - t0) / 1e9);
    stream(out.putObject("books"), pretraining, sequences);

    List<Example> chats = UltraChat.bundled(chat, BadInputPolicy.fail());
    PackedStream ultrachat = new PackedStream(new ShuffledExamples("ultrachat", chats, 1), seqLen, tokenizer.pad(), LossWeighting.PER_EXAMPLE);
    stream(out.putObject("ultrachat_packed"), ultrachat, sequences);

    t0 = System.nanoTime();
    List<QaRecord> records = new ArrayList<>();
    ExtractiveGenerator gen = new ExtractiveGenerator();
    Chunker chunker = new Chunker(tokenizer, 1000);
    for (Document d : books) {
      for (var c : chunker.chunks(d)) {
        var p = gen.generate(c);
        records.add(new QaRecord(c.book(), c.index(), c.text(), p.question(), p.answer(), gen.name()));
      }
    }
    out.put("qa_records", records.size());
    out.put("qa_generate_seconds", (System.nanoTime() - t0) / 1e9);
    List<Example> qa = QaExamples.build(records, chat, tokenizer, seqLen);
    PackedStream qaStream = new PackedStream(new ShuffledExamples("qa", qa, 1), seqLen, tokenizer.pad(), LossWeighting.PER_EXAMPLE);
    stream(out.putObject("qa"), qaStream, sequences);

    MixtureStream mixture = new MixtureStream(List.of(
        new PackedStream(new ShuffledExamples("ultrachat", chats, 2), seqLen, tokenizer.pad(), LossWeighting.PER_EXAMPLE),
        new PackedStream(new ShuffledExamples("qa", qa, 2), seqLen, tokenizer.pad(), LossWeighting.PER_EXAMPLE)),
        new double[] {7, 3}, 3);
    stream(out.putObject("chat_mixture_7_3"), mixture, sequences);
  }

  private static void stream(ObjectNode out, SequenceStream s, int sequences) {
    long lossTokens = 0;
    long start = System.nanoTime();
    for (int i = 0; i < sequences; i++) {
      TrainingSequence seq = s.next();
      for (float w : seq.weights()) {
        if (w > 0) {
          lossTokens++;
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long tokens = (long) sequences * s.sequenceLength();
    out.put("sequences", sequences);
    out.put("tokens_per_second", tokens / seconds);
    out.put("loss_token_fraction", (double) lossTokens / tokens);
  }
}

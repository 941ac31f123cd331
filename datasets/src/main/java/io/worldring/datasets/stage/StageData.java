package io.worldring.datasets.stage;

import io.worldring.datasets.BadInputPolicy;
import io.worldring.datasets.ChatTemplate;
import io.worldring.datasets.Document;
import io.worldring.datasets.Example;
import io.worldring.datasets.Tokenizer;
import io.worldring.datasets.Tokenizers;
import io.worldring.datasets.UltraChat;
import io.worldring.datasets.qa.Chunk;
import io.worldring.datasets.qa.Chunker;
import io.worldring.datasets.qa.ExtractiveGenerator;
import io.worldring.datasets.qa.QaExamples;
import io.worldring.datasets.qa.QaFile;
import io.worldring.datasets.qa.QaPair;
import io.worldring.datasets.qa.QaRecord;
import io.worldring.datasets.source.BookStream;
import io.worldring.datasets.source.ExampleSource;
import io.worldring.datasets.source.MixtureStream;
import io.worldring.datasets.source.NeedleExamples;
import io.worldring.datasets.source.PackedStream;
import io.worldring.datasets.source.SequenceStream;
import io.worldring.datasets.source.ShuffledExamples;
import io.worldring.model.BadInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A curriculum stage's data as one stream: the parts of a {@link DataMix} with weight above 0, each
 * built as LWM builds it (books as overlapping windows; UltraChat, QA and needles each packed on their
 * own), drawn by weight. Deterministic for (mix, sequence length, seed): every part and the draws get
 * their own seed derived from it; resumable through {@code state()}/{@code restore()}, and a state saved
 * under a different set of parts is refused.
 */
public final class StageData {
  /** Needles per needle example: the evaluation's single-needle format. */
  static final int NEEDLES = 1;

  private StageData() {}

  /** The stage's stream, bad records handled as {@code mix.badInput()} says. */
  public static SequenceStream open(DataMix mix, int seqLen, long seed) {
    return open(mix, seqLen, seed, mix.badInputPolicy());
  }

  /**
   * As {@link #open(DataMix, int, long)} with the caller's policy (normally {@code mix.badInputPolicy()}),
   * so the caller can print {@link BadInputPolicy#report()} of what {@code skip} left out.
   */
  public static SequenceStream open(DataMix mix, int seqLen, long seed, BadInputPolicy policy) {
    if (seqLen < 1) {
      throw new BadInputException("sequence length must be positive, got " + seqLen);
    }
    Tokenizer tokenizer = Tokenizers.load(mix.tokenizer());
    ChatTemplate template = new ChatTemplate(tokenizer);
    StageBooks books = new StageBooks(mix, tokenizer, seqLen, policy);
    List<String> names = new ArrayList<>();
    List<SequenceStream> parts = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    long base = seed * 31;
    if (mix.booksWeight() > 0) {
      names.add("books");
      parts.add(books(books, tokenizer, seqLen, base + 1));
      weights.add(mix.booksWeight());
    }
    if (mix.chatWeight() > 0) {
      names.add("ultrachat");
      parts.add(packed(new ShuffledExamples("ultrachat", chats(mix, template, policy), base + 2), mix, tokenizer, seqLen));
      weights.add(mix.chatWeight());
    }
    if (mix.qaWeight() > 0) {
      List<Example> qa = QaExamples.build(qaRecords(mix, books, tokenizer, policy), template, tokenizer, seqLen);
      names.add("qa");
      parts.add(packed(new ShuffledExamples("qa", qa, base + 3), mix, tokenizer, seqLen));
      weights.add(mix.qaWeight());
    }
    if (mix.needleWeight() > 0) {
      List<Document> haystacks = books.eligible();
      int chars = NeedleSizing.haystackChars(haystacks, tokenizer, template, seqLen);
      names.add("needles");
      parts.add(packed(new NeedleExamples(haystacks, template, chars, NEEDLES, base + 4), mix, tokenizer, seqLen));
      weights.add(mix.needleWeight());
    }
    double[] ratios = weights.stream().mapToDouble(Double::doubleValue).toArray();
    return new StageStream(names, new MixtureStream(parts, ratios, base));
  }

  /** One line for logs, e.g. {@code books (the bundled books, >= seq-len tokens) 1.0; bytes tokens, per-example loss}. */
  public static String describe(DataMix mix) {
    String filter = switch (mix.minDocTokens()) {
      case -1 -> ", >= seq-len tokens";
      case 0 -> "";
      default -> ", >= " + mix.minDocTokens() + " tokens";
    };
    String books = StageBooks.source(mix) + filter;
    List<String> parts = new ArrayList<>();
    if (mix.booksWeight() > 0) {
      parts.add("books (" + books + ") " + mix.booksWeight());
    }
    if (mix.chatWeight() > 0) {
      parts.add("ultrachat (" + (mix.chats().isEmpty() ? "bundled sample" : mix.chats()) + ") " + mix.chatWeight());
    }
    if (mix.qaWeight() > 0) {
      String from = mix.qa().isEmpty() ? "extractive, " + mix.qaChunkTokens() + "-token chunks of " + books : mix.qa();
      parts.add("qa (" + from + ") " + mix.qaWeight());
    }
    if (mix.needleWeight() > 0) {
      parts.add("needles (in " + books + ") " + mix.needleWeight());
    }
    return String.join(", ", parts) + "; " + mix.tokenizer() + " tokens, "
        + mix.weighting().name().toLowerCase(Locale.ROOT).replace('_', '-') + " loss";
  }

  private static SequenceStream books(StageBooks books, Tokenizer tokenizer, int seqLen, long seed) {
    try {
      return new BookStream(books.all(), tokenizer, seqLen, books.minTokens(), seed);
    } catch (BadInputException e) {
      throw books.error(e.getMessage());
    }
  }

  private static PackedStream packed(ExampleSource source, DataMix mix, Tokenizer tokenizer, int seqLen) {
    return new PackedStream(source, seqLen, tokenizer.pad(), mix.weighting());
  }

  private static List<Example> chats(DataMix mix, ChatTemplate template, BadInputPolicy policy) {
    List<Example> chats = mix.chats().isEmpty() ? UltraChat.bundled(template, policy) : UltraChat.read(Path.of(mix.chats()), template, policy);
    if (chats.isEmpty()) {
      throw new BadInputException("data.chats: " + (mix.chats().isEmpty() ? "the bundled sample" : mix.chats()) + " holds no dialogues");
    }
    return chats;
  }

  /** The QA file's records, or one extractive question per chunk of every eligible book. */
  private static List<QaRecord> qaRecords(DataMix mix, StageBooks books, Tokenizer tokenizer, BadInputPolicy policy) {
    if (!mix.qa().isEmpty()) {
      List<QaRecord> records = QaFile.read(Path.of(mix.qa()), policy);
      if (records.isEmpty()) {
        throw new BadInputException("data.qa: " + mix.qa() + " holds no QA records");
      }
      return records;
    }
    ExtractiveGenerator generator = new ExtractiveGenerator();
    Chunker chunker = new Chunker(tokenizer, mix.qaChunkTokens());
    List<QaRecord> records = new ArrayList<>();
    for (Document d : books.eligible()) {
      for (Chunk c : chunker.chunks(d)) {
        QaPair p = generator.generate(c);
        records.add(new QaRecord(c.book(), c.index(), c.text(), p.question(), p.answer(), generator.name()));
      }
    }
    return records;
  }
}

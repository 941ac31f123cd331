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
import io.worldring.datasets.source.LossWeighting;
import io.worldring.datasets.source.MixtureStream;
import io.worldring.datasets.source.NeedleExamples;
import io.worldring.datasets.source.PackedStream;
import io.worldring.datasets.source.SequenceStream;
import io.worldring.datasets.source.ShuffledExamples;
import io.worldring.datasets.vision.CodecTokenizer;
import io.worldring.datasets.vision.world.WorldConfig;
import io.worldring.model.BadInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A curriculum stage's data as one stream: the parts of a {@link DataMix} with weight above 0, each
 * built as LWM builds it (books as overlapping windows; UltraChat, QA and needles each packed on their
 * own; vision-language examples packed on their own with vision masks, beside a {@code vision-text} part
 * of book windows taking {@code data.vision.text-fraction} of the vision weight, each window weighing as
 * one example under per-example weighting ({@link WindowsAsExamples})), drawn by weight. Deterministic for
 * (mix, sequence length, seed): every part and the draws get their own seed derived from it; resumable
 * through {@code state()}/{@code restore()}, and a state saved under a different set of parts is refused.
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
    if (mix.vision().enabled()) {
      VisionMix v = mix.vision();
      names.add("vision");
      parts.add(StageVision.stream(v, tokenizer, seqLen, mix.weighting(), base + 5));
      weights.add(v.weight() * (1 - v.textFraction()));
      if (v.textFraction() > 0) {
        names.add("vision-text");
        SequenceStream windows = books(books, tokenizer, seqLen, base + 6);
        parts.add(mix.weighting() == LossWeighting.PER_EXAMPLE ? new WindowsAsExamples(windows) : windows);
        weights.add(v.weight() * v.textFraction());
      }
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
    if (mix.vision().enabled()) {
      parts.add("vision (" + describeVision(mix.vision(), books) + ") " + mix.vision().weight());
    }
    return String.join(", ", parts) + "; " + mix.tokenizer() + " tokens, "
        + mix.weighting().name().toLowerCase(Locale.ROOT).replace('_', '-') + " loss";
  }

  /**
   * Rows of the model's vision embedding table and outputs of its vision head that this stage needs: 0 for
   * a stage without a vision part, else the vision tokenizer's codebook size + 2 ({@code <eof>},
   * {@code <eov>}). Trains nothing (a tokenizer directory is opened to read its size).
   */
  public static int visionVocab(DataMix mix) {
    return mix.vision().enabled() ? StageVision.vocabulary(mix.vision()).size() : 0;
  }

  /**
   * The vision tokenizer of a stage with a vision part, the very codebook its data is encoded with, for
   * evaluation, {@code worldring ask} and {@code generate}: the one in {@code data.vision.tokenizer}, or the
   * patch codebook trained on the section's world (a function of the section's tokenizer keys and world
   * alone, not of a seed: every vision stage of a run shares it; a few seconds for the tiny settings, then
   * kept for the next call).
   */
  public static CodecTokenizer visionTokenizer(DataMix mix) {
    if (!mix.vision().enabled()) {
      throw new BadInputException("this stage's data has no vision part (data.vision weights are all 0)");
    }
    return StageVision.tokenizer(mix.vision());
  }

  /**
   * The world of the stage's long-video QA examples at this sequence length, frames sized as training sizes
   * them, so evaluation asks about videos like those trained on (generate held-out ones with another seed).
   * Null when {@code data.vision.qa-weight} is 0.
   */
  public static WorldConfig visionQaWorld(DataMix mix, int seqLen) {
    VisionMix v = mix.vision();
    if (!v.enabled() || v.qaWeight() == 0) {
      return null;
    }
    return StageVision.worlds(v, Tokenizers.load(mix.tokenizer()), StageVision.tokenizer(v), seqLen).qa();
  }

  private static String describeVision(VisionMix v, String books) {
    List<String> kinds = new ArrayList<>();
    if (v.qaWeight() > 0) {
      kinds.add("qa " + v.qaWeight());
    }
    if (v.captionWeight() > 0) {
      kinds.add("still captions " + v.captionWeight());
    }
    if (v.videoCaptionWeight() > 0) {
      kinds.add("video captions " + v.videoCaptionWeight());
    }
    String frames = v.frames() == -1 ? "frames fit to seq-len" : v.frames() + " frames";
    String tokenizer = v.tokenizer().isEmpty()
        ? "patch codebook " + v.codebookSize() + " x " + v.codesPerFrame() + " codes per " + v.frameSize() + "px frame"
        : "tokenizer " + v.tokenizer();
    String text = v.textFraction() > 0 ? ", " + Math.round(v.textFraction() * 1000) / 10.0 + "% pure text from " + books : "";
    return v.world() + " world, " + String.join(", ", kinds) + ", " + frames + "; " + tokenizer + text + "; vision loss share "
        + v.lossShare();
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

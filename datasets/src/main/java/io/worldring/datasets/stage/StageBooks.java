package io.worldring.datasets.stage;

import io.worldring.datasets.BadInputPolicy;
import io.worldring.datasets.Document;
import io.worldring.datasets.DocumentReader;
import io.worldring.datasets.Tokenizer;
import io.worldring.model.BadInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A stage's books, read only when a part needs them (a chat stage with a QA file and no needles reads
 * none) and at most once per opening, filtered by length only for the parts that take the filter list.
 */
final class StageBooks {
  private final DataMix mix;
  private final Tokenizer tokenizer;
  private final int minTokens;
  private final BadInputPolicy policy;
  private List<Document> all;
  private List<Document> eligible;

  StageBooks(DataMix mix, Tokenizer tokenizer, int seqLen, BadInputPolicy policy) {
    this.mix = mix;
    this.tokenizer = tokenizer;
    this.minTokens = mix.minDocTokens(seqLen);
    this.policy = policy;
  }

  int minTokens() {
    return minTokens;
  }

  /** Every book read, unfiltered ({@code BookStream} applies the filter itself as it tokenizes). */
  List<Document> all() {
    if (all == null) {
      all = mix.books().isEmpty() ? new DocumentReader(policy).bundled() : new DocumentReader(policy).read(Path.of(mix.books()));
      if (all.isEmpty()) {
        throw error("no books");
      }
    }
    return all;
  }

  /** The books of at least {@link #minTokens} tokens, in reading order. */
  List<Document> eligible() {
    if (eligible == null) {
      if (minTokens == 0) {
        eligible = all();
      } else {
        List<Document> out = new ArrayList<>();
        int longest = 0;
        for (Document d : all()) {
          int n = tokenizer.encode(d.text()).length;
          longest = Math.max(longest, n);
          if (n >= minTokens) {
            out.add(d);
          }
        }
        if (out.isEmpty()) {
          throw error("no book has at least " + minTokens + " tokens (the longest of " + all().size() + " has " + longest + ")");
        }
        eligible = List.copyOf(out);
      }
    }
    return eligible;
  }

  /** What the books are, for messages and {@link StageData#describe}. */
  static String source(DataMix mix) {
    return mix.books().isEmpty() ? "the bundled books" : mix.books();
  }

  /** An error about the books, naming the keys that chose them. */
  BadInputException error(String message) {
    return new BadInputException("data.books (" + source(mix) + "), data.min-doc-tokens " + minTokens + ": " + message);
  }
}

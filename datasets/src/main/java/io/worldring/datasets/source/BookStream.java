package io.worldring.datasets.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldring.datasets.Document;
import io.worldring.datasets.Tokenizer;
import io.worldring.model.BadInputException;
import io.worldring.model.SplitMix64;
import io.worldring.model.train.TrainingSequence;
import java.util.ArrayList;
import java.util.List;

/**
 * Pretraining sequences from books: documents of at least {@code minDocTokens} tokens (LWM trains each
 * context stage on books at least that long), in a seeded order per epoch, concatenated with EOS after
 * each, cut into windows of {@code seqLen + 1} tokens that overlap by one (the last target of one window
 * is the first input of the next). Every token carries a loss. State: (epoch, document, offset).
 */
public final class BookStream implements SequenceStream {
  private final List<int[]> docs = new ArrayList<>(); // tokens of each eligible document, EOS appended
  private final List<String> ids = new ArrayList<>();
  private final int seqLen;
  private final long seed;
  private final int excluded;
  private long epoch;
  private int doc; // index into the epoch's order
  private int offset; // next token within that document
  private int[] order;

  public BookStream(List<Document> documents, Tokenizer tokenizer, int seqLen, int minDocTokens, long seed) {
    if (seqLen < 1) {
      throw new BadInputException("sequence length must be positive, got " + seqLen);
    }
    this.seqLen = seqLen;
    this.seed = seed;
    int skipped = 0;
    int longest = 0;
    for (Document d : documents) {
      int[] t = tokenizer.encode(d.text());
      longest = Math.max(longest, t.length);
      if (t.length < minDocTokens) {
        skipped++;
        continue;
      }
      int[] withEos = java.util.Arrays.copyOf(t, t.length + 1);
      withEos[t.length] = tokenizer.eos();
      docs.add(withEos);
      ids.add(d.id());
    }
    this.excluded = skipped;
    if (docs.isEmpty()) {
      throw new BadInputException("no book has at least " + minDocTokens + " tokens (the longest of " + documents.size()
          + " has " + longest + ")");
    }
    long total = docs.stream().mapToLong(a -> a.length).sum();
    if (total < seqLen + 1) {
      throw new BadInputException("the books hold " + total + " tokens, fewer than one sequence of " + (seqLen + 1));
    }
    position(0, 0, 0);
  }

  /** Documents left out for being shorter than the minimum. */
  public int excluded() {
    return excluded;
  }

  public int documents() {
    return docs.size();
  }

  @Override
  public int sequenceLength() {
    return seqLen;
  }

  @Override
  public TrainingSequence next() {
    int[] window = new int[seqLen + 1];
    long e = epoch;
    int d = doc;
    int o = offset;
    int[] ord = order;
    long nextEpoch = e;
    int nextDoc = d;
    int nextOffset = o;
    int[] nextOrder = ord;
    for (int filled = 0; filled < window.length; filled++) {
      if (filled == seqLen) { // the next window starts at this window's last token
        nextEpoch = e;
        nextDoc = d;
        nextOffset = o;
        nextOrder = ord;
      }
      int[] tokens = docs.get(ord[d]);
      window[filled] = tokens[o];
      if (++o == tokens.length) {
        o = 0;
        if (++d == docs.size()) {
          d = 0;
          e++;
          ord = orderOf(e);
        }
      }
    }
    setPosition(nextEpoch, nextDoc, nextOffset, nextOrder);
    return TrainingSequence.causal(window);
  }

  @Override
  public JsonNode state() {
    return States.object().put("epoch", epoch).put("doc", doc).put("offset", offset);
  }

  @Override
  public void restore(JsonNode state) {
    long e = States.getLong(state, "epoch", "books");
    long d = States.getLong(state, "doc", "books");
    long o = States.getLong(state, "offset", "books");
    if (e < 0 || d < 0 || d >= docs.size() || o < 0) {
      throw new BadInputException("books state " + state + " is outside these " + docs.size() + " documents");
    }
    position(e, (int) d, (int) o);
    if (offset >= docs.get(order[doc]).length) {
      throw new BadInputException("books state " + state + " points past the end of its document");
    }
  }

  private void position(long e, int d, int o) {
    setPosition(e, d, o, orderOf(e));
  }

  private void setPosition(long e, int d, int o, int[] ord) {
    epoch = e;
    doc = d;
    offset = o;
    order = ord;
  }

  private int[] orderOf(long e) {
    return new SplitMix64(seed ^ (0x9E3779B97F4A7C15L * (e + 1))).permutation(docs.size());
  }
}

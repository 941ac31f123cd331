package io.worldring.datasets.qa;

import io.worldring.datasets.Document;
import io.worldring.datasets.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a document into chunks of about {@code chunkTokens} tokens (LWM used ~1000), ending each at the
 * next whitespace so no word is split. A document with a year and a president (a State of the Union
 * address) starts with a header line naming them, so questions about them are answerable from the text.
 */
public final class Chunker {
  private final Tokenizer tokenizer;
  private final int chunkTokens;

  public Chunker(Tokenizer tokenizer, int chunkTokens) {
    if (chunkTokens < 8) {
      throw new io.worldring.model.BadInputException("chunk tokens must be at least 8, got " + chunkTokens);
    }
    this.tokenizer = tokenizer;
    this.chunkTokens = chunkTokens;
  }

  public static String withHeader(Document d) {
    String year = d.metadata().get("year");
    String president = d.metadata().get("president");
    if (year != null && president != null) {
      return "State of the Union Address, " + year + ", by " + president + ".\n" + d.text().strip();
    }
    return d.text();
  }

  public List<Chunk> chunks(Document d) {
    String text = withHeader(d);
    Tokenizer.Encoded enc = tokenizer.encodeWithSpans(text);
    List<Chunk> out = new ArrayList<>();
    int from = 0; // character offset
    int token = 0;
    while (token < enc.ids().length && from < text.length()) {
      int last = Math.min(enc.ids().length, token + chunkTokens) - 1;
      int end = enc.end()[last] < 0 ? text.length() : enc.end()[last];
      while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
        end++;
      }
      String piece = text.substring(from, end).strip();
      if (!piece.isEmpty()) {
        out.add(new Chunk(d.id(), out.size(), piece, d.metadata()));
      }
      from = end;
      while (token < enc.ids().length && (enc.start()[token] < 0 || enc.start()[token] < end)) {
        token++;
      }
    }
    return out;
  }
}

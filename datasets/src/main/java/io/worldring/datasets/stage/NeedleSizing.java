package io.worldring.datasets.stage;

import io.worldring.datasets.ChatTemplate;
import io.worldring.datasets.Document;
import io.worldring.datasets.Needles;
import io.worldring.datasets.Tokenizer;
import io.worldring.model.BadInputException;
import java.util.List;

/**
 * How much book text a needle example takes so that the whole example (template, haystack, needle,
 * question, answer) nearly fills one sequence: needle examples are cut in characters, sequences in
 * tokens, so the characters per token are measured on the books themselves (about 1 with bytes, about
 * 4 for English with a LLaMA tokenizer). A little room is left: an example that came out too long would
 * lose the start of its haystack, one a little short only some padding.
 */
final class NeedleSizing {
  private static final int SAMPLE_BOOKS = 4;
  private static final int SAMPLE_CHARS = 16_000;
  private static final double FILL = 0.95;

  private NeedleSizing() {}

  static int haystackChars(List<Document> books, Tokenizer tokenizer, ChatTemplate template, int seqLen) {
    StringBuilder sample = new StringBuilder();
    for (Document d : books.subList(0, Math.min(SAMPLE_BOOKS, books.size()))) {
      sample.append(d.text(), 0, Math.min(SAMPLE_CHARS, d.text().length())).append('\n');
    }
    double charsPerToken = sample.length() / (double) Math.max(1, tokenizer.encode(sample.toString()).length);
    // The longest city names make the longest needle and question.
    Needles.Needle probe = new Needles.Needle("Valparaíso", "1234567", "The special magic Valparaíso number is: 1234567.");
    int overhead = template.format("probe", List.of(Needles.question(probe), probe.number()), probe.sentence() + " ").length();
    int room = (int) ((seqLen + 1 - overhead) * FILL);
    if (room < 16) {
      throw new BadInputException("data.needle-weight: a sequence of " + seqLen + " tokens is too short for needle examples"
          + " (the template, needle, question and answer alone take " + overhead + ")");
    }
    return (int) (room * charsPerToken);
  }
}

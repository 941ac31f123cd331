package io.worldring.datasets.qa;

import io.worldring.model.SplitMix64;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The zero-dependency generator: deterministic questions built from the chunk itself. For a document
 * with metadata (a State of the Union address: year, president) the first chunk asks about it, and the
 * header names it; otherwise a cloze question over a number, else over a name, else over a sentence's
 * last word. The choice is seeded by (book, chunk), so the same input always gives the same file.
 */
public final class ExtractiveGenerator implements QaGenerator {
  private static final Pattern SENTENCE = Pattern.compile("[^.!?]+[.!?]");
  private static final Pattern NUMBER = Pattern.compile("\\b\\d[\\d,]*\\d\\b");
  private static final Pattern NAME = Pattern.compile("(?<=[a-z,;] )[A-Z][a-z]{2,}");
  private static final Pattern WORD = Pattern.compile("([A-Za-z]{3,})(?=[^A-Za-z]*$)");
  private static final Set<String> COMMON = Set.of("The", "And", "But", "For", "This", "That", "With", "From", "They", "There");

  @Override
  public String name() {
    return "extractive";
  }

  @Override
  public int concurrency() {
    return 1;
  }

  @Override
  public QaPair generate(Chunk c) {
    String year = c.metadata().get("year");
    String president = c.metadata().get("president");
    SplitMix64 rng = new SplitMix64(c.book().hashCode() * 31L + c.index());
    if (year != null && president != null && c.index() % 4 == 0) {
      return rng.nextInt(2) == 0
          ? new QaPair("Which president delivered the State of the Union address in this document?", president)
          : new QaPair("In which year was the State of the Union address in this document delivered?", year);
    }
    List<String> sentences = new ArrayList<>();
    Matcher m = SENTENCE.matcher(c.text().replace('\n', ' '));
    while (m.find()) {
      String s = m.group().strip();
      if (s.length() >= 30 && s.length() <= 400) {
        sentences.add(s);
      }
    }
    if (sentences.isEmpty()) {
      sentences.add(c.text().replace('\n', ' ').strip());
    }
    int first = rng.nextInt(sentences.size());
    for (Pattern p : new Pattern[] {NUMBER, NAME, WORD}) {
      for (int k = 0; k < sentences.size(); k++) {
        String s = sentences.get((first + k) % sentences.size());
        Matcher found = p.matcher(s);
        while (found.find()) {
          String answer = found.group(found.groupCount() > 0 ? 1 : 0);
          if (p == NAME && COMMON.contains(answer)) {
            continue;
          }
          String blanked = s.substring(0, found.start()) + "____" + s.substring(found.end());
          return new QaPair("Which word or number fills the blank in this sentence from the text: \"" + blanked + "\"", answer);
        }
      }
    }
    String s = sentences.get(first);
    return new QaPair("How does this sentence from the text begin: \"..." + s.substring(Math.min(s.length(), 20)) + "\"",
        s.substring(0, Math.min(s.length(), 20)));
  }
}

package io.worldring.datasets.qa;

import io.worldring.datasets.ChatTemplate;
import io.worldring.datasets.Example;
import io.worldring.datasets.Tokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Long-context QA examples as LWM builds them: consecutive chunks of a book as the document, followed by
 * their QA pairs in chat format, as many chunks as fit the sequence; the loss is on the answers only.
 */
public final class QaExamples {
  private QaExamples() {}

  public static List<Example> build(List<QaRecord> records, ChatTemplate template, Tokenizer tokenizer, int seqLen) {
    Map<String, List<QaRecord>> books = new LinkedHashMap<>();
    for (QaRecord r : records) {
      books.computeIfAbsent(r.book(), b -> new ArrayList<>()).add(r);
    }
    List<Example> out = new ArrayList<>();
    for (Map.Entry<String, List<QaRecord>> book : books.entrySet()) {
      List<QaRecord> chunks = new ArrayList<>(book.getValue());
      chunks.sort((a, b) -> Integer.compare(a.chunk(), b.chunk()));
      int i = 0;
      while (i < chunks.size()) {
        int budget = seqLen + 1;
        int estimate = 16;
        int j = i;
        while (j < chunks.size()) {
          QaRecord c = chunks.get(j);
          int cost = tokenizer.encode(c.text()).length + tokenizer.encode(c.question() + " " + c.answer()).length + 12;
          if (j > i && estimate + cost > budget) {
            break;
          }
          estimate += cost;
          j++;
        }
        Example e = format(book.getKey(), chunks.subList(i, j), template);
        while (e.length() > budget && j - i > 1) { // the estimate was short: drop chunks until it fits
          j--;
          e = format(book.getKey(), chunks.subList(i, j), template);
        }
        out.add(e);
        i = j;
      }
    }
    return out;
  }

  private static Example format(String book, List<QaRecord> chunks, ChatTemplate template) {
    StringBuilder document = new StringBuilder();
    List<String> turns = new ArrayList<>();
    for (QaRecord c : chunks) {
      if (document.length() > 0) {
        document.append('\n');
      }
      document.append(c.text());
      turns.add(c.question());
      turns.add(c.answer());
    }
    String id = "qa:" + book + ":" + chunks.get(0).chunk() + "-" + chunks.get(chunks.size() - 1).chunk();
    return template.format(id, turns, document.toString());
  }
}

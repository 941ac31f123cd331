package io.worldring.datasets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the bundled UltraChat-format sample from the bundled public-domain texts, by extraction, so the
 * project ships chat data it has the right to ship: for each chapter of Moby-Dick, what the chapter is
 * called, how it begins and how it ends; for each State of the Union address, who delivered it and how
 * it opens. Deterministic: {@code SampleChatsTest} checks the shipped file is exactly this output.
 */
public final class SampleChats {
  private static final Pattern CHAPTER = Pattern.compile("(?m)^CHAPTER (\\d+)\\. (.+)$");
  private static final Pattern SENTENCE = Pattern.compile("[^.!?]+[.!?]+[\"']?");
  private static final ObjectMapper JSON = new ObjectMapper();

  private SampleChats() {}

  /** The dialogues as UltraChat JSONL lines. */
  public static List<String> lines() {
    List<String> out = new ArrayList<>();
    String moby = SampleCorpus.text(SampleCorpus.MOBY_DICK);
    Matcher m = CHAPTER.matcher(moby);
    List<int[]> starts = new ArrayList<>();
    List<String[]> heads = new ArrayList<>();
    while (m.find()) {
      starts.add(new int[] {m.start(), m.end()});
      heads.add(new String[] {m.group(1), m.group(2).strip()});
    }
    for (int i = 0; i < starts.size(); i++) {
      int end = i + 1 < starts.size() ? starts.get(i + 1)[0] : moby.length();
      List<String> sentences = sentences(moby.substring(starts.get(i)[1], end));
      if (sentences.size() < 2) {
        continue;
      }
      String n = heads.get(i)[0];
      String title = heads.get(i)[1];
      out.add(line("moby-dick-chapter-" + n, List.of(
          "What is chapter " + n + " of Moby-Dick called?",
          "Chapter " + n + " of Moby-Dick is titled \"" + title + "\"",
          "How does that chapter begin?",
          join(sentences.subList(0, Math.min(2, sentences.size()))),
          "And how does it end?",
          sentences.get(sentences.size() - 1))));
    }
    for (Document d : new DocumentReader(BadInputPolicy.fail()).bundled()) {
      String year = d.metadata().get("year");
      if (year == null) {
        continue;
      }
      List<String> sentences = sentences(d.text());
      if (sentences.isEmpty()) {
        continue;
      }
      String party = d.metadata().getOrDefault("party", "none");
      out.add(line("sotu-" + year + "-" + d.metadata().getOrDefault("president", "").toLowerCase().replaceAll("[^a-z]+", "-"), List.of(
          "Who delivered the State of the Union address of " + year + "?",
          d.metadata().get("president") + (party.equals("none") ? ", who belonged to no party." : ", of the " + party + " party."),
          "How does that address open?",
          sentences.get(0))));
    }
    return out;
  }

  /** Writes the sample to {@code file}. */
  public static void write(Path file) {
    try {
      Files.write(file, lines(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void main(String[] args) {
    write(Path.of(args[0]));
  }

  private static List<String> sentences(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = SENTENCE.matcher(text.replaceAll("\\s+", " "));
    while (m.find()) {
      String s = m.group().strip();
      if (s.length() >= 20 && s.length() <= 600) {
        out.add(s);
      }
    }
    return out;
  }

  private static String join(List<String> sentences) {
    return String.join(" ", sentences);
  }

  private static String line(String id, List<String> turns) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", id);
    var data = n.putArray("data");
    turns.forEach(data::add);
    return n.toString();
  }
}

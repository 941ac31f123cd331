package io.worldring.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The public-domain text shipped inside the project, so `worldring train` needs no download. */
public final class SampleCorpus {
  public static final String MOBY_DICK = "moby-dick.txt";
  /** The State of the Union addresses 1790-1989 as JSONL (id, year, president, party, text). */
  public static final java.util.List<String> SOTU = java.util.List.of("sotu-1790-1859.jsonl", "sotu-1860-1919.jsonl", "sotu-1920-1989.jsonl");
  /** Dialogues in UltraChat's format, written by {@code SampleChats} from the texts above. */
  public static final String ULTRACHAT_SAMPLE = "ultrachat-sample.jsonl";

  private SampleCorpus() {}

  public static InputStream open(String name) {
    InputStream in = SampleCorpus.class.getResourceAsStream("corpus/" + name);
    if (in == null) {
      throw new IllegalStateException("bundled corpus " + name + " is missing from the jar");
    }
    return in;
  }

  public static String text(String name) {
    try (InputStream in = SampleCorpus.class.getResourceAsStream("corpus/" + name)) {
      if (in == null) {
        throw new IllegalStateException("bundled corpus " + name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

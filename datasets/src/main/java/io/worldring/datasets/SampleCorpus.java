package io.worldring.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The public-domain text shipped inside the project, so `worldring train` needs no download. */
public final class SampleCorpus {
  public static final String MOBY_DICK = "moby-dick.txt";

  private SampleCorpus() {}

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

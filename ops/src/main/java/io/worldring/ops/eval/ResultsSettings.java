package io.worldring.ops.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * The settings block of a resumable results file, compared as it reads back from the file: JSON has one
 * kind of number, so a long written there comes back as an int and would never equal itself otherwise.
 */
final class ResultsSettings {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ResultsSettings() {}

  /** Whether {@code stored} (read from a results file) holds the same settings as {@code settings}. */
  static boolean same(JsonNode settings, JsonNode stored) {
    try {
      return JSON.readTree(JSON.writeValueAsString(settings)).equals(stored);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

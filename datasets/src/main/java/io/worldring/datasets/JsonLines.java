package io.worldring.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.model.BadInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads JSON Lines strictly: UTF-8 errors, malformed JSON and non-objects are reported with file and line. */
public final class JsonLines {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Receives each line's object and its line number. */
  public interface Handler {
    void record(JsonNode object, int line);
  }

  private JsonLines() {}

  public static void read(Path file, BadInputPolicy policy, Handler handler) {
    try (InputStream in = Files.newInputStream(file)) {
      read(in, file.toString(), policy, handler);
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": no such file");
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  public static void read(InputStream in, String name, BadInputPolicy policy, Handler handler) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
    int line = 0;
    while (true) {
      String text;
      try {
        text = reader.readLine();
      } catch (CharacterCodingException e) {
        policy.bad(name + ":" + (line + 1), "invalid UTF-8");
        return; // the decoder cannot resynchronise; a skipping policy ends the file here
      }
      if (text == null) {
        return;
      }
      line++;
      if (text.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = JSON.readTree(text);
      } catch (JsonProcessingException e) {
        policy.bad(name + ":" + line, "malformed JSON (" + e.getOriginalMessage() + ")");
        continue;
      }
      if (node == null || !node.isObject()) {
        policy.bad(name + ":" + line, "not a JSON object");
        continue;
      }
      handler.record(node, line);
    }
  }
}

package io.worldring.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.model.BadInputException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads JSON Lines strictly: UTF-8 errors, malformed JSON and non-objects are reported with file and line. */
public final class JsonLines {
  /**
   * Longer lines are bad records, skipped without being held: a file without newlines must not exhaust memory.
   * Four bytes for each of {@link DocumentReader#DEFAULT_MAX_CHARS} characters.
   */
  public static final int MAX_LINE_BYTES = 4 * DocumentReader.DEFAULT_MAX_CHARS;
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

  /**
   * Lines are split on the bytes and each decoded strictly on its own, so invalid UTF-8 is reported on its
   * own line and a skipping policy goes on with the next.
   */
  public static void read(InputStream in, String name, BadInputPolicy policy, Handler handler) throws IOException {
    read(in, name, policy, handler, MAX_LINE_BYTES);
  }

  static void read(InputStream in, String name, BadInputPolicy policy, Handler handler, int maxLineBytes) throws IOException {
    BufferedInputStream input = new BufferedInputStream(in, 1 << 16);
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(4096);
    int line = 0;
    boolean more = true;
    while (more) {
      buffer.reset();
      long length = 0;
      int b;
      while ((b = input.read()) != -1 && b != '\n') {
        if (length++ < maxLineBytes) {
          buffer.write(b);
        }
      }
      more = b != -1;
      if (!more && length == 0) {
        break;
      }
      line++;
      if (length > maxLineBytes) {
        policy.bad(name + ":" + line, "line of " + length + " bytes is over the limit of " + maxLineBytes);
        continue;
      }
      String text;
      try {
        text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(buffer.toByteArray())).toString();
      } catch (CharacterCodingException e) {
        policy.bad(name + ":" + line, "invalid UTF-8");
        continue;
      }
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

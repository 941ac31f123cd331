package io.worldring.model.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.worldring.model.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * JSON documents read from files as trees. The bytes must be UTF-8 (as RFC 8259 and every format read here
 * say; no guessing of UTF-16 or UTF-32), and a document that does not decode or parse is one
 * {@link BadInputException} naming the file and the position: the byte of invalid UTF-8, or the line and
 * column of a syntax error. Jackson leaves the position out of the errors of its limits (nesting depth,
 * number length), so it is then taken from the parser.
 */
public final class JsonFiles {
  private JsonFiles() {}

  /**
   * @param where what the message starts with: the file, and what it is if that helps ("FILE: header")
   * @return the root, or a missing node for an empty document
   */
  public static JsonNode parse(ObjectMapper mapper, byte[] json, String where) {
    String text = utf8(json, where);
    JsonParser parser = null;
    try {
      parser = mapper.createParser(text);
      JsonNode root = mapper.readTree(parser);
      return root == null ? MissingNode.getInstance() : root;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation() != null ? e.getLocation() : parser == null ? null : parser.currentLocation();
      String position = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new BadInputException(where + ": not valid JSON" + position + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalStateException("reading JSON from memory", e);
    } finally {
      close(parser);
    }
  }

  /** Strictly decoded UTF-8; invalid bytes are an error naming their offset. */
  static String utf8(byte[] bytes, String where) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never has fewer bytes than UTF-16 chars
    CoderResult r = decoder.decode(in, out, true);
    if (!r.isError()) {
      r = decoder.flush(out);
    }
    if (r.isError()) {
      throw new BadInputException(where + ": not valid UTF-8 at byte " + in.position());
    }
    return out.flip().toString();
  }

  private static void close(JsonParser parser) {
    if (parser != null) {
      try {
        parser.close();
      } catch (IOException e) {
        // reading from memory: nothing to release
      }
    }
  }
}

package io.worldring.model.vision;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.BadInputException;
import io.worldring.model.io.JsonFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code tokenizer.json}, the file that says what a tokenizer directory holds:
 * {@code {"format": "worldring-frame-codec/1", "type": "patch-kmeans" | "vqgan", ...}}. Reading is strict:
 * every key must be known and present with the right type, and errors name the file and the key.
 */
final class CodecManifest {
  static final String FILE = "tokenizer.json";
  static final String FORMAT = "worldring-frame-codec/1";
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(SerializationFeature.INDENT_OUTPUT);

  private final Path file;
  private final ObjectNode root;

  private CodecManifest(Path file, ObjectNode root) {
    this.file = file;
    this.root = root;
  }

  /** A new manifest of {@code type}, to fill and {@link #write}. */
  static ObjectNode create(String type) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("type", type);
    return root;
  }

  static CodecManifest read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new BadInputException(dir + ": no such tokenizer directory");
    }
    Path file = dir.resolve(FILE);
    JsonNode root;
    try {
      root = JsonFiles.parse(JSON, Files.readAllBytes(file), file.toString());
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": no such file (a tokenizer directory needs one)");
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
    if (!root.isObject()) {
      throw new BadInputException(file + ": must be a JSON object");
    }
    CodecManifest m = new CodecManifest(file, (ObjectNode) root);
    String format = m.text(m.root, "format");
    if (!format.equals(FORMAT)) {
      throw new BadInputException(file + ": format is '" + format + "', this version reads '" + FORMAT + "'");
    }
    return m;
  }

  static void write(Path dir, ObjectNode root) {
    try {
      Files.createDirectories(dir);
      Files.write(dir.resolve(FILE), JSON.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new BadInputException(dir.resolve(FILE) + ": cannot write (" + e.getMessage() + ")", e);
    }
  }

  Path file() {
    return file;
  }

  ObjectNode root() {
    return root;
  }

  String type() {
    return text(root, "type");
  }

  /** Checks that {@code node} (the root or a nested object named {@code where}) has exactly {@code keys}. */
  void requireKeys(JsonNode node, String where, Set<String> keys) {
    Set<String> present = new TreeSet<>();
    node.fieldNames().forEachRemaining(present::add);
    for (String k : present) {
      if (!keys.contains(k)) {
        throw new BadInputException(file + ": unknown key '" + where + k + "' (known: " + new TreeSet<>(keys) + ")");
      }
    }
    for (String k : new TreeSet<>(keys)) {
      if (!present.contains(k)) {
        throw new BadInputException(file + ": missing key '" + where + k + "'");
      }
    }
  }

  String text(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null || !v.isTextual()) {
      throw new BadInputException(file + ": '" + key + "' must be a string");
    }
    return v.asText();
  }

  int integer(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null || !v.isInt()) {
      throw new BadInputException(file + ": '" + key + "' must be an integer");
    }
    return v.asInt();
  }

  long longInteger(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
      throw new BadInputException(file + ": '" + key + "' must be an integer");
    }
    return v.asLong();
  }

  double number(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null || !v.isNumber()) {
      throw new BadInputException(file + ": '" + key + "' must be a number");
    }
    return v.asDouble();
  }

  JsonNode object(JsonNode node, String key) {
    JsonNode v = node.get(key);
    if (v == null || !v.isObject()) {
      throw new BadInputException(file + ": '" + key + "' must be an object");
    }
    return v;
  }
}

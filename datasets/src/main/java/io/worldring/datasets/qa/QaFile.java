package io.worldring.datasets.qa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.datasets.BadInputPolicy;
import io.worldring.datasets.JsonLines;
import io.worldring.model.BadInputException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The QA JSONL file: one {@link QaRecord} per line, appended and flushed one at a time, so a crash
 * leaves every finished line intact; a torn last line (the crash mid-write) is cut off when the file is
 * opened again.
 */
public final class QaFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  private QaFile() {}

  public static List<QaRecord> read(Path file, BadInputPolicy policy) {
    List<QaRecord> out = new ArrayList<>();
    JsonLines.read(file, policy, (node, line) -> {
      QaRecord r = parse(node);
      if (r == null) {
        policy.bad(file + ":" + line, "a QA record needs book, chunk, text, question and answer");
      } else {
        out.add(r);
      }
    });
    return out;
  }

  static QaRecord parse(JsonNode n) {
    for (String f : new String[] {"book", "text", "question", "answer"}) {
      if (!n.path(f).isTextual()) {
        return null;
      }
    }
    if (!n.path("chunk").canConvertToInt()) {
      return null;
    }
    return new QaRecord(n.get("book").asText(), n.get("chunk").asInt(), n.get("text").asText(), n.get("question").asText(),
        n.get("answer").asText(), n.path("generator").asText(""));
  }

  static String line(QaRecord r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("book", r.book()).put("chunk", r.chunk()).put("question", r.question()).put("answer", r.answer())
        .put("generator", r.generator()).put("text", r.text());
    return n.toString();
  }

  /** Cuts a torn last line (no newline at the end) off {@code file}; returns whether it did. */
  static boolean repairTail(Path file) throws IOException {
    if (!Files.isRegularFile(file) || Files.size(file) == 0) {
      return false;
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long end = f.length();
      f.seek(end - 1);
      if (f.read() == '\n') {
        return false;
      }
      long pos = end - 1;
      while (pos > 0) {
        f.seek(pos - 1);
        if (f.read() == '\n') {
          break;
        }
        pos--;
      }
      f.setLength(pos);
      return true;
    }
  }

  static byte[] bytes(QaRecord r) {
    return (line(r) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  static BadInputException bad(Path file, String message) {
    return new BadInputException(file + ": " + message);
  }
}

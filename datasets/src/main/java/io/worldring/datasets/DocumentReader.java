package io.worldring.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldring.model.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Books: a directory of {@code .txt} files (a document each) and {@code .jsonl} files (a document per
 * line, with a {@code text} field and optional metadata), or one such file. Empty documents, documents
 * over the size limit, invalid UTF-8 and malformed records go to the {@link BadInputPolicy}.
 */
public final class DocumentReader {
  /** Documents larger than this many characters are refused (a corrupt file must not exhaust memory). */
  public static final int DEFAULT_MAX_CHARS = 64 * 1024 * 1024;

  private final BadInputPolicy policy;
  private final int maxChars;

  public DocumentReader(BadInputPolicy policy) {
    this(policy, DEFAULT_MAX_CHARS);
  }

  public DocumentReader(BadInputPolicy policy, int maxChars) {
    this.policy = policy;
    this.maxChars = maxChars;
  }

  /** The documents under {@code path} (a directory, in file-name order, or one file). */
  public List<Document> read(Path path) {
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(path)) {
      try (Stream<Path> s = Files.list(path)) {
        s.filter(p -> p.toString().endsWith(".txt") || p.toString().endsWith(".jsonl")).sorted().forEach(files::add);
      } catch (IOException e) {
        throw new BadInputException(path + ": cannot list (" + e.getMessage() + ")", e);
      }
      if (files.isEmpty()) {
        throw new BadInputException(path + ": no .txt or .jsonl files");
      }
    } else if (Files.isRegularFile(path)) {
      files.add(path);
    } else {
      throw new BadInputException(path + ": no such file or directory");
    }
    List<Document> out = new ArrayList<>();
    for (Path f : files) {
      if (f.toString().endsWith(".jsonl")) {
        JsonLines.read(f, policy, (node, line) -> add(out, fromJson(node, f.getFileName().toString(), f + ":" + line)));
      } else {
        try {
          long size = Files.size(f);
          if (size > 4L * maxChars) { // not read: at most 4 bytes a character
            policy.bad(f.toString(), "file of " + size + " bytes is over the limit of " + maxChars + " characters");
            continue;
          }
          add(out, new Document(stripExtension(f.getFileName().toString()), strictUtf8(Files.readAllBytes(f), f.toString()), Map.of(), f.toString()));
        } catch (IOException e) {
          throw new BadInputException(f + ": cannot read (" + e.getMessage() + ")", e);
        }
      }
    }
    return out;
  }

  /** The books shipped with the project: Moby-Dick and the State of the Union addresses 1790-1989. */
  public List<Document> bundled() {
    List<Document> out = new ArrayList<>();
    out.add(new Document("moby-dick", SampleCorpus.text(SampleCorpus.MOBY_DICK), Map.of("title", "Moby-Dick"), "bundled:moby-dick.txt"));
    for (String name : SampleCorpus.SOTU) {
      try (InputStream in = SampleCorpus.open(name)) {
        JsonLines.read(in, "bundled:" + name, policy, (node, line) -> add(out, fromJson(node, name, "bundled:" + name + ":" + line)));
      } catch (IOException e) {
        throw new IllegalStateException("bundled corpus " + name + " is unreadable", e);
      }
    }
    return out;
  }

  private Document fromJson(JsonNode node, String file, String where) {
    JsonNode text = node.get("text");
    if (text == null || !text.isTextual()) {
      policy.bad(where, "missing or non-string \"text\" field");
      return null;
    }
    Map<String, String> meta = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().equals("text") && e.getValue().isValueNode()) {
        meta.put(e.getKey(), e.getValue().asText());
      }
    }
    String id = meta.getOrDefault("id", stripExtension(file) + ":" + where.substring(where.lastIndexOf(':') + 1));
    return new Document(id, text.asText(), meta, where);
  }

  private void add(List<Document> out, Document d) {
    if (d == null) {
      return;
    }
    if (d.text().isBlank()) {
      policy.bad(d.source(), "empty document");
    } else if (d.text().length() > maxChars) {
      policy.bad(d.source(), "document of " + d.text().length() + " characters is over the limit of " + maxChars);
    } else {
      out.add(d);
    }
  }

  private String strictUtf8(byte[] bytes, String where) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      policy.bad(where, "invalid UTF-8");
      return "";
    }
  }

  private static String stripExtension(String name) {
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}

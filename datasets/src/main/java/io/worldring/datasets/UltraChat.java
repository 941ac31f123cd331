package io.worldring.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * UltraChat's JSONL format, {@code {"id": ..., "data": ["user turn", "assistant turn", ...]}}, as chat
 * examples (loss on the assistant turns). A record without an even number of at least two string turns
 * goes to the {@link BadInputPolicy}; a trailing user turn without an answer is dropped.
 */
public final class UltraChat {
  private UltraChat() {}

  public static List<Example> read(Path file, ChatTemplate template, BadInputPolicy policy) {
    List<Example> out = new ArrayList<>();
    JsonLines.read(file, policy, (node, line) -> add(out, node, file + ":" + line, template, policy));
    return out;
  }

  /** The bundled sample (written by {@code SampleChats}). */
  public static List<Example> bundled(ChatTemplate template, BadInputPolicy policy) {
    List<Example> out = new ArrayList<>();
    String name = "bundled:" + SampleCorpus.ULTRACHAT_SAMPLE;
    try (InputStream in = SampleCorpus.open(SampleCorpus.ULTRACHAT_SAMPLE)) {
      JsonLines.read(in, name, policy, (node, line) -> add(out, node, name + ":" + line, template, policy));
    } catch (IOException e) {
      throw new IllegalStateException(name + " is unreadable", e);
    }
    return out;
  }

  private static void add(List<Example> out, JsonNode node, String where, ChatTemplate template, BadInputPolicy policy) {
    JsonNode data = node.get("data");
    if (data == null || !data.isArray()) {
      policy.bad(where, "missing \"data\" array");
      return;
    }
    List<String> turns = new ArrayList<>();
    for (JsonNode t : data) {
      if (!t.isTextual()) {
        policy.bad(where, "\"data\" holds a non-string turn");
        return;
      }
      turns.add(t.asText());
    }
    if (turns.size() % 2 == 1) {
      turns.remove(turns.size() - 1);
    }
    if (turns.size() < 2) {
      policy.bad(where, "a dialogue needs at least one user turn and one assistant turn");
      return;
    }
    String id = node.has("id") ? node.get("id").asText() : where;
    out.add(template.format(id, turns, null));
  }
}

package io.worldring.ops.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * results.json of a needle evaluation: the settings, then one entry per (context, depth) cell with its
 * rounds' answers and accuracy. Written after every cell (atomically), so an interrupted evaluation
 * continues where it stopped when run again with the same settings.
 */
public final class NeedleResults {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One prompt's outcome. */
  public record Answer(int round, List<String> asked, String answer, double score, int promptTokens) {}

  /** A finished cell. */
  public record Cell(int context, double depth, List<Answer> answers) {
    public double accuracy() {
      return answers.stream().mapToDouble(Answer::score).average().orElse(Double.NaN);
    }
  }

  private final ObjectNode settings;
  private final List<Cell> cells = new ArrayList<>();

  public NeedleResults(ObjectNode settings) {
    this.settings = settings;
  }

  public List<Cell> cells() {
    return cells;
  }

  public ObjectNode settings() {
    return settings;
  }

  public Cell find(int context, double depth) {
    return cells.stream().filter(c -> c.context() == context && c.depth() == depth).findFirst().orElse(null);
  }

  public void add(Cell c) {
    cells.add(c);
  }

  public double overall() {
    return cells.stream().mapToDouble(Cell::accuracy).average().orElse(Double.NaN);
  }

  /** The results in {@code file}, if it holds an evaluation with these settings; an error if different ones. */
  public static NeedleResults resume(Path file, ObjectNode settings) {
    NeedleResults r = new NeedleResults(settings);
    if (!Files.exists(file)) {
      return r;
    }
    JsonNode n;
    try {
      n = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new BadInputException(file + ": not a results file (" + e.getMessage() + ")");
    }
    if (!ResultsSettings.same(settings, n.get("settings"))) {
      throw new BadInputException(file + " holds an evaluation with other settings; choose another --out or delete it");
    }
    for (JsonNode c : n.path("cells")) {
      List<Answer> answers = new ArrayList<>();
      for (JsonNode a : c.path("answers")) {
        List<String> asked = new ArrayList<>();
        a.path("asked").forEach(x -> asked.add(x.asText()));
        answers.add(new Answer(a.get("round").asInt(), asked, a.get("answer").asText(), a.get("score").asDouble(),
            a.get("prompt_tokens").asInt()));
      }
      r.add(new Cell(c.get("context").asInt(), c.get("depth").asDouble(), answers));
    }
    return r;
  }

  public ObjectNode toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.set("settings", settings);
    n.put("overall_accuracy", overall());
    ArrayNode a = n.putArray("cells");
    for (Cell c : cells) {
      ObjectNode o = a.addObject();
      o.put("context", c.context()).put("depth", c.depth()).put("rounds", c.answers().size()).put("accuracy", c.accuracy());
      ArrayNode answers = o.putArray("answers");
      for (Answer x : c.answers()) {
        ObjectNode ao = answers.addObject().put("round", x.round()).put("answer", x.answer()).put("score", x.score())
            .put("prompt_tokens", x.promptTokens());
        ArrayNode asked = ao.putArray("asked");
        x.asked().forEach(asked::add);
      }
    }
    return n;
  }

  public void write(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
      Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson()) + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot write (" + e.getMessage() + ")", e);
    }
  }
}

package io.worldring.ops.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.model.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's step log ({@code metrics.jsonl}: one committed step per line, written by the supervisor) read
 * back for reports. A last line without its newline is a write the process did not finish (it died
 * mid-append) and is left out; any other unreadable line is an error naming the file and line.
 */
public record StepLog(Path file, List<Step> steps, boolean tornTail) {
  /**
   * One committed step.
   *
   * @param overlapRatios per device in ring order, [devices]; empty in logs written before it was recorded
   * @param mfu NaN where not recorded
   */
  public record Step(long step, String stage, long stageStep, double loss, double tokensPerSecond, double stepSeconds, int devices,
      int attempts, long failures, long membershipChanges, double[] overlapRatios, double mfu, Instant time) {}

  public static StepLog read(Path runDir) {
    Path file = runDir.resolve("metrics.jsonl");
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(file + ": no step log here (is " + runDir + " a run directory written by `worldring train`?)");
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
    ObjectMapper json = new ObjectMapper();
    String[] lines = text.split("\n", -1);
    List<Step> steps = new ArrayList<>();
    boolean torn = false;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      boolean last = i == lines.length - 1;
      if (line.isBlank()) {
        continue;
      }
      try {
        steps.add(parse(json.readTree(line)));
      } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
        if (last) { // no newline after it: an append cut short
          torn = true;
          continue;
        }
        throw new BadInputException(file + ":" + (i + 1) + ": not a step record (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
      }
    }
    return new StepLog(file, steps, torn);
  }

  private static Step parse(JsonNode n) {
    for (String key : new String[] {"step", "stage", "loss", "tokens_per_second", "step_seconds", "devices", "time"}) {
      if (!n.hasNonNull(key)) {
        throw new IllegalArgumentException("missing \"" + key + "\"");
      }
    }
    JsonNode o = n.path("overlap_ratio");
    double[] overlap = new double[o.isArray() ? o.size() : 0];
    for (int d = 0; d < overlap.length; d++) {
      overlap[d] = o.get(d).asDouble();
    }
    return new Step(n.get("step").asLong(), n.get("stage").asText(), n.path("stage_step").asLong(), n.get("loss").asDouble(),
        n.get("tokens_per_second").asDouble(), n.get("step_seconds").asDouble(), n.get("devices").asInt(), n.path("attempts").asInt(1),
        n.path("failures_total").asLong(), n.path("membership_changes_total").asLong(), overlap,
        n.has("mfu_ratio") ? n.get("mfu_ratio").asDouble() : Double.NaN, Instant.parse(n.get("time").asText()));
  }
}

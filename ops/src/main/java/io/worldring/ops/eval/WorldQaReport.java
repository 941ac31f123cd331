package io.worldring.ops.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.datasets.vision.world.QuestionType;
import io.worldring.model.BadInputException;
import io.worldring.ops.eval.WorldQaEvaluation.Answer;
import io.worldring.ops.eval.WorldQaEvaluation.Overall;
import io.worldring.ops.eval.WorldQaEvaluation.Result;
import io.worldring.ops.eval.WorldQaEvaluation.TypeResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A world-qa evaluation as JSON and as a table. The results file holds the settings, the tallies and every
 * answer; it is rewritten (atomically) after each video, so an interrupted evaluation continues where it
 * stopped when run again with the same settings.
 */
public final class WorldQaReport {
  /** How the p-values are computed, written beside them. */
  public static final String P_VALUE_METHOD = "exact one-sided tail P(X >= correct) of a uniform guesser's correct answers: "
      + "binomial per type, Poisson-binomial over the questions' chance levels overall; no normal approximation";

  private static final ObjectMapper JSON = new ObjectMapper();

  private WorldQaReport() {}

  /** The settings that decide the questions and the model's answers (a resumed run must have the same). */
  public static ObjectNode settings(WorldQaEvaluation e, String checkpoint, String tokenizer, String textTokenizer) {
    WorldQaEvaluation.Settings s = e.settings();
    ObjectNode n = JSON.createObjectNode();
    n.put("checkpoint", checkpoint).put("tokenizer", tokenizer).put("text_tokenizer", textTokenizer).put("world", s.world())
        .put("frame_size", e.world().frameSize()).put("frames", e.world().frames()).put("videos", s.videos())
        .put("questions_per_video", s.questionsPerVideo()).put("seed", s.seed()).put("first_video", WorldQaEvaluation.FIRST_VIDEO);
    ArrayNode types = n.putArray("types");
    s.types().forEach(t -> types.add(WorldQaEvaluation.typeName(t)));
    if (s.shuffledVideos()) {
      n.put("shuffled_videos", true); // the control: each question shown the next video
    }
    return n;
  }

  /** Settings, held-out rule, per-type and overall tallies; with {@code answers}, every question too. */
  public static ObjectNode toJson(ObjectNode settings, Result r, boolean answers) {
    ObjectNode n = JSON.createObjectNode();
    n.put("kind", "world-qa");
    n.set("settings", settings);
    n.put("held_out", "videos 2^62 + i (i < " + settings.path("videos").asInt() + ") of seed " + settings.path("seed").asLong()
        + "; training uses videos 0, 1, 2, ... of its own seeds");
    n.put("longest_prompt_tokens", r.answers().stream().mapToInt(Answer::promptTokens).max().orElse(0));
    ObjectNode types = n.putObject("types");
    for (TypeResult t : r.types()) {
      ObjectNode o = types.putObject(WorldQaEvaluation.typeName(t.type()));
      o.put("questions", t.questions()).put("correct", t.correct()).put("accuracy", t.accuracy()).put("chance", t.chance());
      o.putArray("ci95").add(t.interval().low()).add(t.interval().high());
      o.put("p_value", t.pValue()).put("majority", t.majority()).put("mean_span_frames", t.meanSpan());
    }
    Overall o = r.overall();
    ObjectNode all = n.putObject("overall");
    all.put("questions", o.questions()).put("correct", o.correct()).put("accuracy", o.accuracy()).put("chance", o.chance());
    all.putArray("ci95").add(o.interval().low()).add(o.interval().high());
    all.put("p_value", o.pValue()).put("p_value_method", P_VALUE_METHOD).put("majority", o.majority());
    if (answers) {
      ArrayNode a = n.putArray("answers");
      for (Answer x : r.answers()) {
        ObjectNode q = a.addObject();
        q.put("video", x.video()).put("index", x.index()).put("type", WorldQaEvaluation.typeName(x.type())).put("question", x.question())
            .put("answer", x.answer()).put("predicted", x.predicted()).put("correct", x.correct()).put("first_frame", x.firstFrame())
            .put("last_frame", x.lastFrame()).put("prompt_tokens", x.promptTokens());
        ArrayNode scores = q.putArray("scores");
        for (double s : x.scores()) {
          scores.add(s);
        }
      }
    }
    return n;
  }

  /** The answers in {@code file}, if it holds an evaluation with these settings (none if it does not exist); an error if other settings. */
  public static List<Answer> resume(Path file, ObjectNode settings) {
    List<Answer> out = new ArrayList<>();
    if (file == null || !Files.exists(file)) {
      return out;
    }
    JsonNode n;
    try {
      n = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new BadInputException("--out " + file + ": not a world-qa results file (" + e.getMessage() + ")");
    }
    if (!"world-qa".equals(n.path("kind").asText()) || !n.has("answers")) {
      throw new BadInputException("--out " + file + " is not a world-qa results file; choose another --out or delete it");
    }
    if (!ResultsSettings.same(settings, n.get("settings"))) {
      throw new BadInputException("--out " + file + " holds a world-qa evaluation with other settings; choose another --out or delete it");
    }
    for (JsonNode q : n.get("answers")) {
      JsonNode s = q.path("scores");
      double[] scores = new double[s.size()];
      for (int i = 0; i < scores.length; i++) {
        scores[i] = s.get(i).asDouble();
      }
      out.add(new Answer(q.get("video").asInt(), q.get("index").asInt(), WorldQaEvaluation.parseType(q.get("type").asText()),
          q.get("question").asText(), q.get("answer").asText(), q.get("predicted").asText(), q.get("first_frame").asInt(),
          q.get("last_frame").asInt(), q.get("prompt_tokens").asInt(), scores));
    }
    return out;
  }

  /** Writes {@code json} to {@code file} through a temporary file, so the file is always whole. */
  public static void write(Path file, JsonNode json) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = parent.resolve("." + file.getFileName() + ".tmp");
      Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file.toAbsolutePath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new BadInputException("--out " + file + ": cannot write (" + e.getMessage() + ")", e);
    }
  }

  /** The tallies as a table, one row per type and one overall, with the held-out videos and the test used. */
  public static String table(WorldQaEvaluation e, Result r) {
    StringBuilder b = new StringBuilder();
    WorldQaEvaluation.Settings s = e.settings();
    b.append(String.format(Locale.ROOT, "world-qa: %s world, %d frames of %d px; %d held-out videos (seed %d, videos 2^62 + 0..%d), %d questions%s%n",
        s.world(), e.world().frames(), e.world().frameSize(), s.videos(), s.seed(), s.videos() - 1, r.overall().questions(),
        s.shuffledVideos() ? "; CONTROL: every question shown the next video's frames" : ""));
    String row = "%-20s %9s %7s %8s %15s %6s %8s %10s %6s%n";
    b.append(String.format(Locale.ROOT, row, "type", "questions", "correct", "accuracy", "95% interval", "chance", "majority", "p(>chance)",
        "span"));
    for (TypeResult t : r.types()) {
      b.append(String.format(Locale.ROOT, row, WorldQaEvaluation.typeName(t.type()), t.questions(), t.correct(), f3(t.accuracy()),
          interval(t.interval()), f3(t.chance()), f3(t.majority()), p(t.pValue()), String.format(Locale.ROOT, "%.0f", t.meanSpan())));
    }
    Overall o = r.overall();
    b.append(String.format(Locale.ROOT, row, "overall", o.questions(), o.correct(), f3(o.accuracy()), interval(o.interval()), f3(o.chance()),
        f3(o.majority()), p(o.pValue()), ""));
    b.append("chance = 1/candidates (overall: the mean over questions); majority = the commonest true answer of each type, in hindsight;\n"
        + "p = exact one-sided P(a uniform guesser gets >= correct) (binomial per type, Poisson-binomial overall); span = frames between evidence\n");
    for (QuestionType t : s.types()) {
      if (r.types().stream().noneMatch(x -> x.type() == t)) {
        b.append("(no ").append(WorldQaEvaluation.typeName(t)).append(" question could be asked about these videos)\n");
      }
    }
    return b.toString();
  }

  private static String f3(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  private static String interval(ChanceStatistics.Interval i) {
    return String.format(Locale.ROOT, "[%.3f, %.3f]", i.low(), i.high());
  }

  private static String p(double v) {
    return v >= 1e-3 ? String.format(Locale.ROOT, "%.4f", v) : String.format(Locale.ROOT, "%.2e", v);
  }
}

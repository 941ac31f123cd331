package io.worldring.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.datasets.BadInputPolicy;
import io.worldring.datasets.Document;
import io.worldring.datasets.DocumentReader;
import io.worldring.datasets.Tokenizer;
import io.worldring.datasets.Tokenizers;
import io.worldring.model.BadInputException;
import io.worldring.model.LlamaModel;
import io.worldring.model.ModelConfig;
import io.worldring.model.io.Checkpoint;
import io.worldring.ops.eval.Heatmap;
import io.worldring.ops.eval.ModelAnswerer;
import io.worldring.ops.eval.NeedleEvaluation;
import io.worldring.ops.eval.NeedleGrid;
import io.worldring.ops.eval.NeedleResults;
import io.worldring.ops.eval.WorldQaEvaluation;
import io.worldring.ops.eval.WorldQaReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
    subcommands = {EvalCommand.Needle.class, EvalCommand.PerplexityCommand.class, EvalCommand.WorldQa.class, EvalCommand.Compare.class},
    description = "Evaluate a checkpoint: needle, perplexity, world-qa, and compare to set two results side by side.")
final class EvalCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new BadInputException("eval needs a subcommand: needle, perplexity, world-qa or compare");
  }

  /** A checkpoint's model, checked against the tokenizer and the context it will read. */
  static LlamaModel model(Path dir, Tokenizer tok, int context, boolean allowExtrapolation) {
    ModelConfig config = check(dir, tok, context, allowExtrapolation);
    return new LlamaModel(config, Checkpoint.load(dir, DataType.FLOAT).weights());
  }

  /** The checkpoint's shape, if it can read {@code context} tokens of {@code tok}'s vocabulary. */
  static ModelConfig check(Path dir, Tokenizer tok, int context, boolean allowExtrapolation) {
    ModelConfig config = Checkpoint.readManifest(dir).config();
    if (context > config.maxSeqLen() && !allowExtrapolation) {
      throw new BadInputException("context " + context + " is above the model's trained maximum of " + config.maxSeqLen()
          + " tokens (" + dir + "); pass --allow-extrapolation to evaluate it anyway");
    }
    if (tok.vocabSize() > config.vocabSize()) {
      throw new BadInputException("the tokenizer's vocabulary (" + tok.vocabSize() + ") is larger than the model's (" + config.vocabSize() + ")");
    }
    return config;
  }

  @Command(name = "perplexity", mixinStandardHelpOptions = true,
      description = {"Perplexity and next-token accuracy of a checkpoint on a text (.txt/.jsonl, documents joined with EOS),",
          "in non-overlapping chunks of --context tokens; prints JSON."})
  static final class PerplexityCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "Checkpoint or run directory") Path checkpoint;

    @Option(names = "--data", paramLabel = "PATH", description = "Text: .txt/.jsonl file or directory (default: the bundled books)")
    Path data;

    @Option(names = "--context", defaultValue = "256", description = "Tokens per chunk (default: ${DEFAULT-VALUE})") int context;

    @Option(names = "--max-chunks", defaultValue = "32", description = "Chunks at most (default: ${DEFAULT-VALUE})") int maxChunks;

    @Option(names = "--tokenizer", defaultValue = "bytes", description = "bytes or a tokenizer.json (default: ${DEFAULT-VALUE})") String tokenizer;

    @Option(names = "--allow-extrapolation", description = "Allow a context above the model's trained maximum") boolean allowExtrapolation;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the JSON here") Path out;

    @Override
    public Integer call() throws Exception {
      if (context < 1 || maxChunks < 1) {
        throw new BadInputException("--context and --max-chunks must be positive");
      }
      Path dir = Checkpoint.resolve(checkpoint);
      Tokenizer tok = Tokenizers.load(tokenizer);
      LlamaModel model = model(dir, tok, context, allowExtrapolation);
      DocumentReader reader = new DocumentReader(BadInputPolicy.fail());
      List<Document> docs = data == null ? reader.bundled() : reader.read(data);
      java.util.List<Integer> ids = new ArrayList<>();
      for (Document d : docs) {
        for (int t : tok.encode(d.text())) {
          ids.add(t);
        }
        ids.add(tok.eos());
        if (ids.size() > (long) (context + 1) * maxChunks) {
          break;
        }
      }
      io.worldring.ops.eval.Perplexity.Result r = io.worldring.ops.eval.Perplexity.measure(model,
          ids.stream().mapToInt(Integer::intValue).toArray(), context, maxChunks);
      ObjectNode n = new ObjectMapper().createObjectNode();
      n.put("kind", "perplexity").put("checkpoint", dir.toAbsolutePath().toString()).put("data", data == null ? "bundled" : data.toString())
          .put("context", context).put("tokens", r.tokens()).put("chunks", r.chunks()).put("loss", r.loss())
          .put("perplexity", r.perplexity()).put("token_accuracy", r.tokenAccuracy());
      String json = n.toPrettyString();
      if (out != null) {
        java.nio.file.Files.writeString(out, json + "\n");
      }
      System.out.println(json);
      return 0;
    }
  }

  @Command(name = "compare", mixinStandardHelpOptions = true,
      description = "Two result files (needle results.json, perplexity or world-qa JSON) side by side, with the difference B - A.")
  static final class Compare implements Callable<Integer> {
    @picocli.CommandLine.Parameters(index = "0", paramLabel = "A") Path a;

    @picocli.CommandLine.Parameters(index = "1", paramLabel = "B") Path b;

    @Override
    public Integer call() {
      com.fasterxml.jackson.databind.JsonNode ja = read(a);
      com.fasterxml.jackson.databind.JsonNode jb = read(b);
      java.util.Map<String, double[]> rows = new java.util.LinkedHashMap<>();
      collect(ja, rows, 0);
      collect(jb, rows, 1);
      System.out.printf(Locale.ROOT, "%-28s %12s %12s %12s%n", "metric", "A", "B", "B - A");
      for (var e : rows.entrySet()) {
        double[] v = e.getValue();
        System.out.printf(Locale.ROOT, "%-28s %12s %12s %12s%n", e.getKey(), num(v[0]), num(v[1]),
            Double.isNaN(v[0]) || Double.isNaN(v[1]) ? "" : String.format(Locale.ROOT, "%+.4f", v[1] - v[0]));
      }
      System.out.println("A: " + a + "\nB: " + b);
      return 0;
    }

    private static String num(double v) {
      return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static com.fasterxml.jackson.databind.JsonNode read(Path p) {
      try {
        return new ObjectMapper().readTree(p.toFile());
      } catch (java.io.IOException e) {
        throw new BadInputException(p + ": not a JSON result file (" + e.getMessage() + ")");
      }
    }

    /** Needle: accuracy per context and overall; perplexity: loss, perplexity, token accuracy; world-qa: accuracy per type and overall. */
    private static void collect(com.fasterxml.jackson.databind.JsonNode n, java.util.Map<String, double[]> rows, int column) {
      if (n.has("cells")) {
        java.util.Map<Integer, double[]> perContext = new java.util.TreeMap<>();
        for (var c : n.get("cells")) {
          double[] s = perContext.computeIfAbsent(c.get("context").asInt(), k -> new double[2]);
          s[0] += c.get("accuracy").asDouble();
          s[1]++;
        }
        perContext.forEach((ctx, s) -> put(rows, "needle accuracy @" + ctx, column, s[0] / s[1]));
        put(rows, "needle accuracy overall", column, n.path("overall_accuracy").asDouble(Double.NaN));
      } else if ("perplexity".equals(n.path("kind").asText())) {
        String at = " @" + n.get("context").asInt();
        put(rows, "loss (nats/token)" + at, column, n.get("loss").asDouble());
        put(rows, "perplexity" + at, column, n.get("perplexity").asDouble());
        put(rows, "token accuracy" + at, column, n.get("token_accuracy").asDouble());
      } else if ("world-qa".equals(n.path("kind").asText())) {
        n.path("types").fields().forEachRemaining(t -> put(rows, "world-qa " + t.getKey(), column, t.getValue().get("accuracy").asDouble()));
        put(rows, "world-qa overall", column, n.path("overall").path("accuracy").asDouble(Double.NaN));
      } else {
        throw new BadInputException("not a needle, perplexity or world-qa result: " + n.toString().substring(0, Math.min(80, n.toString().length())));
      }
    }

    private static void put(java.util.Map<String, double[]> rows, String key, int column, double v) {
      rows.computeIfAbsent(key, k -> new double[] {Double.NaN, Double.NaN})[column] = v;
    }
  }

  @Command(name = "world-qa", mixinStandardHelpOptions = true,
      description = {"Long-video QA on held-out synthetic-world videos: each question is asked in the vision-chat format training uses,",
          "every candidate answer of its type is scored by its log-likelihood (\" \" + answer + EOS) and the best is the model's answer.",
          "Prints JSON (accuracy per question type and overall, with chance = 1/candidates, a 95%% Wilson interval and the exact",
          "one-sided p-value of beating chance) and a table on stderr. Held out: videos 2^62 + i of --seed, where training uses",
          "videos 0, 1, 2, ... of its own seeds. With --out, every answer is saved after each video and a re-run with the same",
          "settings continues an interrupted evaluation."})
  static final class WorldQa implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "A vision checkpoint or run directory")
    Path checkpoint;

    @Option(names = "--tokenizer", required = true, paramLabel = "DIR", description = "The vision tokenizer the checkpoint was trained with")
    Path visionTokenizer;

    @Option(names = "--text-tokenizer", defaultValue = "bytes", paramLabel = "SPEC", description = "bytes or a tokenizer.json (default: ${DEFAULT-VALUE})")
    String textTokenizer;

    @Option(names = "--world", defaultValue = "small", description = "The world preset training used: tiny or small (default: ${DEFAULT-VALUE})")
    String world;

    @Option(names = "--frames", defaultValue = "-1",
        description = "Frames per video; -1: as training's data.vision.frames = -1 sizes them for the checkpoint's max sequence length "
            + "(the world's 64 or 512 frames, cut to what fits; e.g. 50 at 1024 tokens, 472 at 8192) (default: ${DEFAULT-VALUE})")
    int frames;

    @Option(names = "--videos", defaultValue = "50", description = "Held-out videos (default: ${DEFAULT-VALUE})") int videos;

    @Option(names = "--questions-per-video", defaultValue = "4",
        description = "Distinct questions about each video, at most (first-colour, last-colour: one each; default: ${DEFAULT-VALUE})")
    int questionsPerVideo;

    @Option(names = "--seed", defaultValue = "1000", description = "The held-out videos are this seed's videos 2^62 + i (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--types", split = ",", paramLabel = "TYPE",
        description = "Question types to ask (default: all, training's mix): first-colour, last-colour, appeared-colour, "
            + "appeared-shape, disappeared-colour, bounce-count, appeared-between, before-or-after, position-at")
    List<String> types;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the JSON, with every answer, here; resumes from it")
    Path out;

    @Option(names = "--shuffle-videos", description = "The control: ask each question with the next video's frames (no evidence in the "
        + "video); accuracy above this is what the video adds")
    boolean shuffleVideos;

    @Override
    public Integer call() {
      List<io.worldring.datasets.vision.world.QuestionType> asked = types == null
          ? List.of(io.worldring.datasets.vision.world.QuestionType.values())
          : types.stream().map(WorldQaEvaluation::parseType).toList();
      WorldQaEvaluation.Settings settings = new WorldQaEvaluation.Settings(world, frames, videos, questionsPerVideo, seed, asked,
          shuffleVideos);
      Path dir = Checkpoint.resolve(checkpoint);
      io.worldring.datasets.vision.CodecTokenizer vision = io.worldring.datasets.vision.CodecTokenizer.load(visionTokenizer);
      Tokenizer text = Tokenizers.load(textTokenizer);
      ModelConfig config = Checkpoint.readManifest(dir).config();
      WorldQaEvaluation evaluation = WorldQaEvaluation.open(settings,
          new WorldQaEvaluation.Inputs(config, dir.toString(), vision, visionTokenizer.toString(), text));
      ObjectNode json = WorldQaReport.settings(evaluation, dir.toAbsolutePath().toString(), visionTokenizer.toAbsolutePath().toString(),
          text.name());
      List<WorldQaEvaluation.Answer> done = WorldQaReport.resume(out, json);
      if (!done.isEmpty()) {
        System.err.printf(Locale.ROOT, "world-qa: continuing %s (%d questions answered)%n", out, done.size());
      }
      LlamaModel model = new LlamaModel(config, Checkpoint.load(dir, DataType.FLOAT).weights());
      WorldQaEvaluation.Scorer scorer = WorldQaEvaluation.Scorer.of(new io.worldring.ops.eval.ChoiceScorer(model, text));
      long started = System.nanoTime();
      int[] videosDone = {0};
      WorldQaEvaluation.Result r = evaluation.run(scorer, done, answers -> {
        videosDone[0]++;
        if (out != null) {
          WorldQaReport.write(out, WorldQaReport.toJson(json, WorldQaEvaluation.Result.of(evaluation.world(), answers), true));
        }
        if (videosDone[0] % Math.max(1, videos / 10) == 0) {
          System.err.printf(Locale.ROOT, "world-qa: video %d/%d, %d questions, %.1f s%n", answers.stream().mapToInt(a -> a.video()).max()
              .orElse(-1) + 1, videos, answers.size(), (System.nanoTime() - started) / 1e9);
        }
      });
      if (out != null) {
        WorldQaReport.write(out, WorldQaReport.toJson(json, r, true));
      }
      System.out.println(WorldQaReport.toJson(json, r, false).toPrettyString());
      System.err.print(WorldQaReport.table(evaluation, r));
      return 0;
    }
  }

  @Command(name = "needle", mixinStandardHelpOptions = true,
      description = {"Needle in a haystack as LWM runs it: 'The special magic {city} number is: {7-digit number}.' at each depth of",
          "each context length, the question in the chat template, greedy answers, a hit when the exact number appears.",
          "Writes results.json, heatmap.png and heatmap.html to --out and prints a one-line summary; re-running with the same",
          "settings continues an interrupted evaluation."})
  static final class Needle implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "Checkpoint or run directory (its latest checkpoint)")
    Path checkpoint;

    @Option(names = "--haystack", paramLabel = "FILE", description = "Haystack text, .txt or .jsonl (repeatable; default: the bundled books)")
    List<Path> haystacks = new ArrayList<>();

    @Option(names = "--contexts", required = true, description = "Context lengths in tokens: 1024,2048 or from:to:count")
    String contexts;

    @Option(names = "--depths", defaultValue = "0:100:11", description = "Depths in percent (default: ${DEFAULT-VALUE})")
    String depths;

    @Option(names = "--rounds", defaultValue = "3", description = "Prompts per cell (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--needles", defaultValue = "1", description = "Needles per prompt (default: ${DEFAULT-VALUE})")
    int needles;

    @Option(names = "--retrieve", defaultValue = "1", description = "Needles asked for per prompt (default: ${DEFAULT-VALUE})")
    int retrieve;

    @Option(names = "--seed", defaultValue = "0", description = "Draws cities, numbers and extra depths (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--tokenizer", defaultValue = "bytes", description = "bytes, or the model's tokenizer.json (default: ${DEFAULT-VALUE})")
    String tokenizer;

    @Option(names = "--max-new-tokens", defaultValue = "0", description = "Answer length limit (default: 24 per asked needle, x3 for bytes)")
    int maxNewTokens;

    @Option(names = "--allow-extrapolation", description = "Allow contexts above the model's trained maximum")
    boolean allowExtrapolation;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory")
    Path out;

    @Option(names = "--devices", defaultValue = "1",
        description = "1: this JVM's device with a KV cache; N: prompts split over a ring of N device actors (default: ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--layout", defaultValue = "zigzag", description = "Ring layout: contiguous or zigzag (default: ${DEFAULT-VALUE})")
    String layout;

    @Option(names = "--progress", defaultValue = "auto", description = "auto, bar, plain or none (default: ${DEFAULT-VALUE})")
    io.worldring.ops.train.ProgressReporter.Mode progress;

    @Override
    public Integer call() {
      NeedleGrid grid = new NeedleGrid(NeedleGrid.parseContexts(contexts), NeedleGrid.parse(depths, "--depths"), rounds, needles, retrieve,
          seed);
      Path dir = Checkpoint.resolve(checkpoint);
      ModelConfig config = Checkpoint.readManifest(dir).config();
      int longest = grid.contexts().stream().mapToInt(Integer::intValue).max().orElseThrow();
      Tokenizer tok = Tokenizers.load(tokenizer);
      check(dir, tok, longest, allowExtrapolation);
      String haystack = haystack();
      ObjectMapper json = new ObjectMapper();
      ObjectNode settings = json.createObjectNode();
      settings.put("checkpoint", dir.toAbsolutePath().toString()).put("tokenizer", tok.name()).put("rounds", rounds)
          .put("needles", needles).put("retrieve", retrieve).put("seed", seed).put("haystack_chars", haystack.length());
      ArrayNode cs = settings.putArray("contexts");
      grid.contexts().forEach(cs::add);
      ArrayNode ds = settings.putArray("depths");
      grid.depths().forEach(ds::add);
      Path results = out.resolve("results.json");
      NeedleResults r = NeedleResults.resume(results, settings);
      int maxNew = maxNewTokens > 0 ? maxNewTokens : 24 * retrieve * (tok.name().equals("bytes") ? 3 : 1);
      if (devices < 1) {
        throw new BadInputException("--devices must be at least 1");
      }
      io.worldring.ring.SequenceLayout ringLayout = io.worldring.ring.SequenceLayout.parse(layout);
      io.worldring.actors.Ring ring = null;
      io.worldring.ops.eval.Answerer answerer;
      if (devices == 1) {
        answerer = new ModelAnswerer(new LlamaModel(config, Checkpoint.load(dir, DataType.FLOAT).weights()), tok, maxNew);
      } else {
        io.worldring.actors.device.ModelSpec spec = new io.worldring.actors.device.ModelSpec(config, 0, dir.toAbsolutePath().toString(),
            false, io.worldring.model.train.OptimizerConfig.inference(), 128, false);
        ring = io.worldring.actors.LocalRing.start(devices, ringLayout, spec, com.typesafe.config.ConfigFactory.empty());
        answerer = new io.worldring.ops.eval.RingAnswerer(ring, ringLayout, tok, maxNew);
      }
      ProgressBar bar = progress == io.worldring.ops.train.ProgressReporter.Mode.BAR
          || progress == io.worldring.ops.train.ProgressReporter.Mode.AUTO && System.console() != null
          ? new ProgressBarBuilder().setTaskName("needle").setInitialMax(grid.contexts().size() * grid.depths().size() * rounds)
              .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err)).build()
          : null;
      try {
        NeedleEvaluation.run(grid, haystack, tok, answerer, r, results, p -> {
          if (bar != null) {
            bar.stepTo(p[0]);
          } else if (progress != io.worldring.ops.train.ProgressReporter.Mode.NONE && p[0] % Math.max(1, p[1] / 10) == 0) {
            System.err.printf(Locale.ROOT, "needle %d/%d%n", p[0], p[1]);
          }
        });
      } finally {
        if (bar != null) {
          bar.close();
        }
        if (ring != null) {
          ring.close();
        }
      }
      r.write(results);
      String title = "needle " + (needles == 1 ? "" : "N=" + needles + " R=" + retrieve + " ") + "— " + dir.getFileName();
      Heatmap.png(r, grid.contexts(), grid.depths(), title, out.resolve("heatmap.png"));
      Heatmap.html(r, grid.contexts(), grid.depths(), title, out.resolve("heatmap.html"));
      System.out.printf(Locale.ROOT, "needle: accuracy %.3f over %d cells (%d contexts x %d depths, %d rounds), %s%n", r.overall(),
          r.cells().size(), grid.contexts().size(), grid.depths().size(), rounds, out.resolve("results.json"));
      return 0;
    }

    private String haystack() {
      DocumentReader reader = new DocumentReader(BadInputPolicy.fail());
      List<Document> docs = new ArrayList<>();
      if (haystacks.isEmpty()) {
        docs.addAll(reader.bundled());
      } else {
        for (Path p : haystacks) {
          List<Document> read = reader.read(p);
          if (read.isEmpty() || read.stream().allMatch(d -> d.text().isBlank())) {
            throw new BadInputException(p + ": empty haystack");
          }
          docs.addAll(read);
        }
      }
      StringBuilder b = new StringBuilder();
      for (Document d : docs) {
        b.append(d.text().strip()).append("\n\n");
      }
      return b.toString().strip();
    }
  }
}

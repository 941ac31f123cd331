package io.worldring.ops.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.worldring.actors.LocalRing;
import io.worldring.actors.device.ModelSpec;
import io.worldring.datasets.ByteTokenizer;
import io.worldring.datasets.SampleCorpus;
import io.worldring.datasets.TokenWindowSource;
import io.worldring.model.BadInputException;
import io.worldring.model.ModelConfig;
import io.worldring.model.io.Checkpoint;
import io.worldring.model.train.StepResult;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.RingSchedule;
import io.worldring.ring.SequenceLayout;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A training run and its run directory:
 * <pre>
 *   run.conf              the resolved configuration
 *   metrics.jsonl         one JSON object per step
 *   checkpoints/step-N/   see {@link Checkpoint}; the newest {@code keep-checkpoints} are kept
 * </pre>
 * Steps execute on a {@link StepBackend}: this JVM's single device, or a ring of device actors. A run
 * directory that already holds a checkpoint is resumed from its latest one: weights, optimizer moments,
 * step and data position, so the loss trajectory continues exactly.
 */
public final class TrainingRun {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Receives progress; called on the training thread. */
  public interface Listener {
    void started(TrainSettings settings, ModelConfig model, long firstStep, Path runDir);

    void stepped(StepResult result, double tokensPerSecond, double seconds);

    void checkpointed(long step, Path dir);
  }

  /** Opens the backend the steps run on; {@code config} is the run's whole configuration. */
  public interface Backends {
    StepBackend open(ModelSpec spec, TrainSettings settings, Config config);
  }

  /** One device in this JVM, or (devices > 1) a ring of device actors in this JVM. */
  public static final Backends LOCAL = (spec, settings, config) -> settings.devices() == 1
      ? new SingleDeviceBackend(spec)
      : new RingBackend(LocalRing.start(settings.devices(), SequenceLayout.parse(settings.layout()), spec, config),
          spec.model(), settings.optimizer());

  private final TrainSettings settings;
  private final Path runDir;
  private final String renderedConfig;
  private final Config config;

  public TrainingRun(TrainSettings settings, Path runDir, String renderedConfig, Config config) {
    this.settings = settings;
    this.runDir = runDir;
    this.renderedConfig = renderedConfig;
    this.config = config;
  }

  /**
   * Trains until step {@code stopAt} (at most {@code steps}), writing a checkpoint there, so that a
   * later call continues the same run; the schedule still spans {@code steps}.
   */
  public List<StepResult> run(Listener listener, long stopAt, Backends backends) {
    int[] tokens = new ByteTokenizer().encode(corpusText());
    TokenWindowSource data = new TokenWindowSource(tokens, settings.seqLen(), settings.seed());
    Path checkpoints = runDir.resolve("checkpoints");
    Path latest = Checkpoint.latestIn(checkpoints);

    ModelSpec spec;
    long step;
    if (latest != null) {
      Checkpoint.Manifest manifest = Checkpoint.readManifest(latest);
      spec = spec(manifest.config(), latest.toString(), true);
      step = manifest.step();
      JsonNode pos = manifest.trainingState().path("data_position");
      data.restore(new TokenWindowSource.Position(pos.path("epoch").asLong(), pos.path("index").asInt()));
    } else {
      ModelConfig config;
      String init = "";
      if (!settings.initFrom().isEmpty()) {
        Path initDir = Checkpoint.resolve(Path.of(settings.initFrom()));
        config = Checkpoint.readManifest(initDir).config();
        init = initDir.toString();
      } else {
        config = ModelConfig.preset(settings.preset());
      }
      if (settings.ropeTheta() != 0) {
        config = config.withRopeTheta(settings.ropeTheta());
      }
      if (config.vocabSize() < ByteTokenizer.VOCAB_SIZE) {
        throw new BadInputException("the model's vocabulary (" + config.vocabSize() + ") is smaller than the byte tokenizer's ("
            + ByteTokenizer.VOCAB_SIZE + ")");
      }
      spec = spec(config, init, false);
      step = 0;
      writeRunConfig();
    }
    if (settings.devices() > 1) {
      new RingSchedule(settings.devices(), SequenceLayout.parse(settings.layout())).checkLength(settings.seqLen());
    }

    List<StepResult> results = new ArrayList<>();
    try (StepBackend backend = backends.open(spec, settings, config);
        BufferedWriter log = Files.newBufferedWriter(runDir.resolve("metrics.jsonl"), StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      listener.started(settings, backend.config(), step, runDir);
      long end = Math.min(stopAt, settings.steps());
      while (step < end) {
        List<TrainingSequence> batch = new ArrayList<>(settings.batchSize());
        for (int i = 0; i < settings.batchSize(); i++) {
          batch.add(data.next());
        }
        long start = System.nanoTime();
        StepResult r = backend.step(step, batch);
        double seconds = (System.nanoTime() - start) / 1e9;
        double tokensPerSecond = r.tokens() / seconds;
        step++;
        results.add(r);
        log.write(metricsLine(r, tokensPerSecond, seconds));
        log.newLine();
        log.flush();
        listener.stepped(r, tokensPerSecond, seconds);
        if (step % settings.checkpointEvery() == 0 || step == end) {
          Path dir = checkpoints.resolve(Checkpoint.stepDirName(step));
          backend.saveCheckpoint(dir, step, trainingState(data));
          prune(checkpoints);
          listener.checkpointed(step, dir);
        }
      }
    } catch (IOException e) {
      throw new BadInputException(runDir + ": cannot write the run log (" + e.getMessage() + ")", e);
    }
    return results;
  }

  private ModelSpec spec(ModelConfig config, String checkpoint, boolean resume) {
    return new ModelSpec(config, settings.seed(), checkpoint, resume, settings.optimizer(), settings.attentionBlock(), settings.recompute());
  }
  private String corpusText() {
    if (settings.data().isEmpty()) {
      return SampleCorpus.text(SampleCorpus.MOBY_DICK);
    }
    Path file = Path.of(settings.data());
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": no such data file");
    } catch (java.nio.charset.MalformedInputException e) {
      throw new BadInputException(file + ": not UTF-8 text");
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  private JsonNode trainingState(TokenWindowSource data) {
    ObjectNode state = JSON.createObjectNode();
    TokenWindowSource.Position p = data.position();
    state.putObject("data_position").put("epoch", p.epoch()).put("index", p.index());
    state.put("seed", settings.seed());
    return state;
  }

  private static String metricsLine(StepResult r, double tokensPerSecond, double seconds) {
    ObjectNode n = JSON.createObjectNode();
    n.put("step", r.step() + 1);
    n.put("loss", r.loss());
    n.put("grad_norm", r.gradNorm());
    n.put("learning_rate", r.learningRate());
    n.put("tokens", r.tokens());
    n.put("tokens_per_second", tokensPerSecond);
    n.put("step_seconds", seconds);
    n.put("time", Instant.now().toString());
    return n.toString();
  }

  private void writeRunConfig() {
    try {
      Files.createDirectories(runDir);
      Files.writeString(runDir.resolve("run.conf"), renderedConfig);
    } catch (IOException e) {
      throw new BadInputException(runDir + ": cannot create the run directory (" + e.getMessage() + ")", e);
    }
  }

  private void prune(Path checkpoints) throws IOException {
    List<Path> all;
    try (Stream<Path> s = Files.list(checkpoints)) {
      all = s.filter(p -> p.getFileName().toString().matches("step-\\d+") && Checkpoint.isCheckpoint(p))
          .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    }
    for (int i = 0; i < all.size() - settings.keepCheckpoints(); i++) {
      try (Stream<Path> s = Files.walk(all.get(i))) {
        for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(x);
        }
      }
    }
  }
}

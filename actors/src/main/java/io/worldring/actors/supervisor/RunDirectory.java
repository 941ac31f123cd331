package io.worldring.actors.supervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.BadInputException;
import io.worldring.model.io.Checkpoint;
import io.worldring.model.io.JsonFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A run's directory:
 * <pre>
 *   run.conf              the resolved configuration (written by the command line)
 *   metrics.jsonl         one JSON object per committed step
 *   ledger.jsonl          the samples behind the weights: one line per committed step (stage, first sample
 *                         index within the stage's stream, sample count, digest of the batch's tokens)
 *   checkpoints/step-N/   see {@link Checkpoint}; the newest {@code keep} periodic ones and every stage's
 *                         final one are kept
 *   supervisor.owner      the supervisor that owns the run now: one that was paused or cut off and replaced
 *                         finds another owner here and logs nothing more
 * </pre>
 * The ledger always describes exactly the steps the current weights have seen: when a run falls back to an
 * older checkpoint (every replica lost), the lines after it are dropped, since those samples are then seen
 * again by the weights that continue from there.
 */
public final class RunDirectory {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A checkpoint and what its manifest says. */
  public record CheckpointRef(Path dir, long step, JsonNode trainingState) {}

  private final Path dir;

  public RunDirectory(Path dir) {
    this.dir = dir.toAbsolutePath();
  }

  public Path path() {
    return dir;
  }

  public Path checkpoints() {
    return dir.resolve("checkpoints");
  }

  public Path ledger() {
    return dir.resolve("ledger.jsonl");
  }

  public Path metrics() {
    return dir.resolve("metrics.jsonl");
  }

  public Path checkpointDir(long step) {
    return checkpoints().resolve(Checkpoint.stepDirName(step));
  }

  /** The newest checkpoint that verifies; corrupt or partial newer ones are reported and skipped. */
  public CheckpointRef latestCheckpoint(Consumer<String> report) {
    Path latest = Checkpoint.latestValidIn(checkpoints(), report);
    return latest == null ? null : ref(latest);
  }

  /** The final checkpoint of stage {@code name} (the newest valid one marked so), or null. */
  public CheckpointRef stageFinal(String name) {
    CheckpointRef best = null;
    for (Path p : stepDirs()) {
      try {
        CheckpointRef r = ref(p);
        JsonNode s = r.trainingState();
        if (s.path("stage_final").asBoolean() && name.equals(s.path("stage_name").asText()) && (best == null || r.step() > best.step())) {
          Checkpoint.verify(p);
          best = r;
        }
      } catch (BadInputException e) {
        // a damaged checkpoint is not a stage's final weights
      }
    }
    return best;
  }

  private static CheckpointRef ref(Path p) {
    Checkpoint.Manifest m = Checkpoint.readManifest(p);
    return new CheckpointRef(p, m.step(), m.trainingState());
  }

  /** Deletes periodic checkpoints beyond the newest {@code keep}; stage-final ones stay. */
  public void prune(int keep) {
    List<Path> periodic = new ArrayList<>();
    for (Path p : stepDirs()) {
      boolean fin;
      try {
        fin = ref(p).trainingState().path("stage_final").asBoolean();
      } catch (BadInputException e) {
        fin = false;
      }
      if (!fin) {
        periodic.add(p);
      }
    }
    for (int i = 0; i < periodic.size() - keep; i++) {
      delete(periodic.get(i));
    }
  }

  /** step-N directories, oldest first. */
  private List<Path> stepDirs() {
    if (!Files.isDirectory(checkpoints())) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(checkpoints())) {
      return s.filter(p -> p.getFileName().toString().matches("step-\\d+"))
          .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path owner() {
    return dir.resolve("supervisor.owner");
  }

  /**
   * Makes {@code id} the supervisor that owns the run (before it reconciles the ledger): a predecessor that
   * wakes from a pause, or sits on the far side of a partition, then finds it no longer {@link #owns} the run.
   */
  public void claim(String id) {
    Path tmp = dir.resolve(".supervisor.owner.tmp");
    try {
      Files.createDirectories(dir);
      Files.writeString(tmp, id, StandardCharsets.UTF_8);
      force(tmp);
      Files.move(tmp, owner(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new BadInputException(owner() + ": cannot write (" + e.getMessage() + ")", e);
    }
  }

  /** Whether the supervisor {@code id} still owns the run; checked before every commit is logged. */
  public boolean owns(String id) {
    try {
      return id.equals(Files.readString(owner(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return false;
    }
  }

  /** The owner's id as written, for messages. */
  public String ownerDescription() {
    try {
      return Files.readString(owner(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "none: " + e.getMessage();
    }
  }

  /** Appends a line and forces it to disk: a line in the ledger is a promise about the weights. */
  public void appendLedger(JsonNode entry) {
    append(ledger(), entry.toString(), true);
  }

  public void appendMetrics(JsonNode line) {
    append(metrics(), line.toString(), false);
  }

  /** The ledger's entries in order; a damaged line (invalid UTF-8, not a JSON object) is an error naming it. */
  public List<JsonNode> ledgerEntries() {
    if (!Files.exists(ledger())) {
      return List.of();
    }
    List<byte[]> lines;
    try {
      lines = lines(ledger());
    } catch (IOException e) {
      throw new BadInputException(ledger() + ": cannot read (" + e.getMessage() + ")", e);
    }
    List<JsonNode> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String where = ledger() + ":" + (i + 1);
      JsonNode n;
      try {
        n = JsonFiles.parse(JSON, lines.get(i), where);
        if (!n.isMissingNode() && !n.isObject()) {
          throw new BadInputException(where + ": not a JSON object");
        }
      } catch (BadInputException e) {
        if (i == lines.size() - 1) {
          break; // a line torn by a crash mid-write: it never committed
        }
        throw e;
      }
      if (!n.isMissingNode()) { // a blank line
        out.add(n);
      }
    }
    return out;
  }

  /** The lines of {@code file} as bytes (split at '\n'), each to be decoded on its own. */
  private static List<byte[]> lines(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= all.length; i++) {
      if (i == all.length ? i > start : all[i] == '\n') {
        out.add(Arrays.copyOfRange(all, start, i));
        start = i + 1;
      }
    }
    return out;
  }

  /**
   * Makes the ledger describe exactly steps 1..{@code step}: drops later lines, and appends {@code last} (the
   * entry of step {@code step}, carried with the replicas) if a supervisor died between commit and logging it.
   */
  public void reconcileLedger(long step, JsonNode last) {
    List<JsonNode> entries = ledgerEntries();
    List<JsonNode> kept = new ArrayList<>();
    for (JsonNode e : entries) {
      if (e.path("step").asLong() <= step) {
        kept.add(e);
      }
    }
    boolean hasLast = !kept.isEmpty() && kept.get(kept.size() - 1).path("step").asLong() == step;
    if (!hasLast && last != null && last.path("step").asLong() == step && step > 0) {
      kept.add(last);
    }
    if (kept.size() == entries.size() && (hasLast || last == null || step == 0)) {
      return;
    }
    StringBuilder b = new StringBuilder();
    kept.forEach(e -> b.append(e).append('\n'));
    Path tmp = dir.resolve(".ledger.jsonl.tmp");
    try {
      Files.writeString(tmp, b, StandardCharsets.UTF_8);
      force(tmp);
      Files.move(tmp, ledger(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new BadInputException(ledger() + ": cannot rewrite (" + e.getMessage() + ")", e);
    }
  }

  /** Drops metrics lines of steps after {@code step} (a fall-back to an older checkpoint re-runs them). */
  public void truncateMetrics(long step) {
    if (!Files.exists(metrics())) {
      return;
    }
    try {
      List<byte[]> kept = new ArrayList<>();
      boolean dropped = false;
      for (byte[] line : lines(metrics())) {
        JsonNode n;
        try {
          n = JsonFiles.parse(JSON, line, metrics().toString());
        } catch (BadInputException e) { // a damaged line of a log: dropped, as a later step's is
          dropped = true;
          continue;
        }
        if (n.path("step").asLong() <= step) {
          kept.add(line);
        } else {
          dropped = true;
        }
      }
      if (dropped) {
        Path tmp = dir.resolve(".metrics.jsonl.tmp");
        try (var out = Files.newOutputStream(tmp)) {
          for (byte[] line : kept) {
            out.write(line);
            out.write('\n');
          }
        }
        Files.move(tmp, metrics(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new BadInputException(metrics() + ": cannot rewrite (" + e.getMessage() + ")", e);
    }
  }

  /** Bytes of the regular files under {@code path} (0 when it is gone). */
  public static long sizeOf(Path path) {
    try (var files = Files.walk(path)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    } catch (IOException | java.io.UncheckedIOException e) {
      return 0;
    }
  }

  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  public static JsonNode parse(String json) {
    try {
      return json == null || json.isEmpty() ? JSON.createObjectNode() : JSON.readTree(json);
    } catch (IOException e) {
      throw new BadInputException("training state is not JSON: " + e.getMessage());
    }
  }

  private void append(Path file, String line, boolean sync) {
    try {
      Files.createDirectories(dir);
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        ch.write(java.nio.ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
        if (sync) {
          ch.force(false);
        }
      }
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot append (" + e.getMessage() + ")", e);
    }
  }

  private static void force(Path p) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  private static void delete(Path p) {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    } catch (IOException e) {
      throw new BadInputException(p + ": cannot delete an old checkpoint (" + e.getMessage() + ")", e);
    }
  }
}

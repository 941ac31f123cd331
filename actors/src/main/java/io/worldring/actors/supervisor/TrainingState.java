package io.worldring.actors.supervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.BadInputException;

/**
 * Where a run stands after a committed step: what a checkpoint's {@code training_state} holds and what
 * every device keeps with its replica. JSON:
 * <pre>
 *   stage, stage_name     the curriculum stage (index and name)
 *   stage_step            steps done in the stage; equal to its steps when the stage is finished
 *   stage_final           the stage is finished (its checkpoint is the next stage's start)
 *   step                  global steps done
 *   seed                  the run's seed (data order and initial weights are functions of it)
 *   data                  the stage's data stream state after the step
 *   last                  the ledger entry of the last step (so a supervisor that died before logging it can)
 *   failures_total, membership_changes_total
 *                         the run's failure and planned-change counters, so they survive a supervisor's move
 * </pre>
 */
public record TrainingState(int stage, String stageName, long stageStep, boolean stageFinal, long step, long seed, JsonNode data,
    JsonNode last, long failures, long membershipChanges) {

  public ObjectNode toJson() {
    ObjectNode n = RunDirectory.object();
    n.put("stage", stage).put("stage_name", stageName).put("stage_step", stageStep).put("stage_final", stageFinal).put("step", step)
        .put("seed", seed);
    n.set("data", data);
    if (last != null) {
      n.set("last", last);
    }
    n.put("failures_total", failures).put("membership_changes_total", membershipChanges);
    return n;
  }

  /** Reads what {@link #toJson} wrote; a missing key or a value of the wrong type is refused, naming {@code where} and the key. */
  public static TrainingState fromJson(JsonNode n, String where) {
    if (n == null || !n.isObject()) {
      throw new BadInputException(where + ": training state is not a JSON object");
    }
    for (String key : new String[] {"stage", "stage_name", "stage_step", "step", "data"}) {
      if (!n.has(key)) {
        throw new BadInputException(where + ": training state lacks '" + key + "'");
      }
    }
    if (!n.get("stage_name").isTextual() || n.has("stage_final") && !n.get("stage_final").isBoolean()) {
      throw new BadInputException(where + ": training state's 'stage_name' must be a string and 'stage_final' true or false");
    }
    return new TrainingState(Math.toIntExact(count(n, "stage", Integer.MAX_VALUE, where)), n.get("stage_name").asText(),
        count(n, "stage_step", Long.MAX_VALUE, where), n.path("stage_final").asBoolean(), count(n, "step", Long.MAX_VALUE, where),
        n.has("seed") ? integer(n, "seed", where) : 0, n.get("data"), n.get("last"), count(n, "failures_total", Long.MAX_VALUE, where),
        count(n, "membership_changes_total", Long.MAX_VALUE, where));
  }

  /** A count in [0, max]; 0 when absent. */
  private static long count(JsonNode n, String key, long max, String where) {
    long v = n.has(key) ? integer(n, key, where) : 0;
    if (v < 0 || v > max) {
      throw new BadInputException(where + ": training state's '" + key + "' is " + v + ", outside [0, " + max + "]");
    }
    return v;
  }

  private static long integer(JsonNode n, String key, String where) {
    JsonNode v = n.get(key);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new BadInputException(where + ": training state's '" + key + "' must be a 64-bit integer, got " + v);
    }
    return v.asLong();
  }
}

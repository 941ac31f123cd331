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

  public static TrainingState fromJson(JsonNode n, String where) {
    for (String key : new String[] {"stage", "stage_name", "stage_step", "step", "data"}) {
      if (!n.has(key)) {
        throw new BadInputException(where + ": training state lacks '" + key + "'");
      }
    }
    return new TrainingState(n.get("stage").asInt(), n.get("stage_name").asText(), n.get("stage_step").asLong(),
        n.path("stage_final").asBoolean(), n.get("step").asLong(), n.path("seed").asLong(), n.get("data"), n.get("last"),
        n.path("failures_total").asLong(), n.path("membership_changes_total").asLong());
  }
}

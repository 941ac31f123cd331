package io.worldring.actors.supervisor;

import io.worldring.ring.WireMessage;

/**
 * A run as its supervisor sees it, for {@code worldring status}: where it is, how the last step went, who
 * is in the ring and what a restart would resume from.
 *
 * @param runId the run directory's name
 * @param phase waiting, forming, stepping, saving, retrying or done
 * @param stage the current stage's name ("" once the curriculum is done)
 * @param stageNumber 1-based position of the stage in the curriculum
 * @param stages stages in the curriculum
 * @param stageStep steps committed in the current stage
 * @param stageSteps the stage's steps
 * @param seqLen the stage's sequence length (0 when done)
 * @param step global steps committed
 * @param loss loss of the last committed step (NaN before the first)
 * @param tokensPerSecond tokens per second of the last committed step (NaN before the first)
 * @param ring the ring's devices in ring order, as actor paths with their node's address
 * @param lastCheckpoint directory of the newest checkpoint ("" when none)
 * @param lastCheckpointStep its step (-1 when none)
 * @param failures failures so far
 * @param membershipChanges planned ring changes so far
 * @param supervisorNode the address of the node hosting the supervisor
 * @param message the supervisor's last status line
 */
public record RunStatus(String runId, String phase, String stage, int stageNumber, int stages, long stageStep, long stageSteps, int seqLen,
    long step, double loss, double tokensPerSecond, String[] ring, String lastCheckpoint, long lastCheckpointStep, long failures,
    long membershipChanges, String supervisorNode, String message) implements WireMessage {}

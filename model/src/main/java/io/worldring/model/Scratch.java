package io.worldring.model;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reusable memory for temporaries: arrays created while a scratch scope is open live in an ND4J
 * workspace that is recycled when the scope closes, instead of each being freed only when the garbage
 * collector finds it (which made fresh, page-faulting allocations the main cost of a training step).
 *
 * <p>Only code whose results are written into arrays created outside the scope may use it; nothing
 * created inside may escape. Workspaces are per thread, so each device thread has its own.
 */
public final class Scratch {
  private static final WorkspaceConfiguration CONFIG = WorkspaceConfiguration.builder()
      .initialSize(0)
      .policyAllocation(AllocationPolicy.OVERALLOCATE)
      .overallocationLimit(0.25)
      .policyLearning(LearningPolicy.FIRST_LOOP)
      .policySpill(SpillPolicy.REALLOCATE)
      .policyReset(ResetPolicy.BLOCK_LEFT)
      .build();

  private Scratch() {}

  /** Opens the named scratch scope on this thread; close it with try-with-resources. */
  public static MemoryWorkspace open(String name) {
    return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIG, name);
  }
}

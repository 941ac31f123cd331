package io.worldring.ops.report;

import java.util.ArrayList;
import java.util.List;

/**
 * What happened to a run besides steps, read off its step log: recoveries (the failure counter rose
 * before a commit: a step re-ran, a device or node died, a supervisor took over) and planned ring changes
 * (devices joined or left between steps).
 */
public final class RunEvents {
  public enum Kind { RECOVERY, RING_CHANGE }

  /**
   * An event, placed at the commit that followed it.
   *
   * @param gapSeconds wall time from the previous commit to this one (what the event cost, at most), 0 for the first
   */
  public record Event(Kind kind, StepLog.Step at, String label, double gapSeconds) {}

  private RunEvents() {}

  public static List<Event> of(List<StepLog.Step> steps) {
    List<Event> events = new ArrayList<>();
    long failures = 0;
    long changes = 0;
    StepLog.Step previous = null;
    for (StepLog.Step s : steps) {
      double gap = previous == null ? 0 : java.time.Duration.between(previous.time(), s.time()).toMillis() / 1000.0;
      if (s.failures() > failures || s.attempts() > 1) {
        long n = Math.max(1, s.failures() - failures);
        events.add(new Event(Kind.RECOVERY, s, "recovery before step " + s.step() + (n > 1 ? " (" + n + " failures)" : ""), gap));
      }
      if (s.membershipChanges() > changes) {
        events.add(new Event(Kind.RING_CHANGE, s, "ring of " + s.devices() + " from step " + s.step(), gap));
      }
      failures = Math.max(failures, s.failures());
      changes = Math.max(changes, s.membershipChanges());
      previous = s;
    }
    return events;
  }
}

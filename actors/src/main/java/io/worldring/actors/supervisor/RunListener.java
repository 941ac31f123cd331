package io.worldring.actors.supervisor;

/**
 * What a run reports as it goes (progress bars, tests). Called on the supervisor's thread, on whichever node
 * hosts it; keep it quick.
 */
public interface RunListener {
  /** A stage begins (or resumes) at {@code stageStep} of its steps. */
  default void stageStarted(Stage stage, int index, long stageStep) {}

  /** A step committed. */
  default void stepped(StepRecord record) {}

  default void checkpointed(long step, String directory) {}

  /** Something a user should know: waiting for devices, a failure being recovered, a corrupt checkpoint. */
  default void status(String message) {}

  /** The run ended: {@code error} null when every stage finished (or --stop-at was reached). */
  default void finished(long step, String error) {}

  RunListener NONE = new RunListener() {};
}

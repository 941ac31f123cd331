package io.worldring.datasets.vision.world;

/**
 * A question about a world video with its exact answer, and the frames that hold the evidence.
 *
 * @param firstFrame first frame the answer depends on
 * @param lastFrame last frame the answer depends on
 */
public record WorldQuestion(QuestionType type, String question, String answer, int firstFrame, int lastFrame) {
  /** Frames between the first and last piece of evidence: how far apart the frames the answer needs are. */
  public int span() {
    return lastFrame - firstFrame;
  }
}

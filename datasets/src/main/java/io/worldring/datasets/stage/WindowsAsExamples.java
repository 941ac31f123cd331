package io.worldring.datasets.stage;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldring.datasets.source.SequenceStream;
import io.worldring.model.train.TrainingSequence;

/**
 * Pretraining windows weighed as one example each (weights divided by the window's total), for the pure
 * text of a vision part under {@code per-example} weighting. A window weighing 1 per token would count as
 * hundreds of packed examples and drown the answers of QA examples (a few loss tokens worth 1 in all) on the
 * text side of the vision/text loss average; as one example, 16% pure text is about 16% of what the text
 * side learns from. Same state as the windows' stream.
 */
final class WindowsAsExamples implements SequenceStream {
  private final SequenceStream windows;

  WindowsAsExamples(SequenceStream windows) {
    this.windows = windows;
  }

  @Override
  public int sequenceLength() {
    return windows.sequenceLength();
  }

  @Override
  public TrainingSequence next() {
    TrainingSequence s = windows.next();
    double total = s.totalWeight();
    float[] w = s.weights().clone();
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (w[i] / total);
    }
    return s.withWeights(w);
  }

  @Override
  public JsonNode state() {
    return windows.state();
  }

  @Override
  public void restore(JsonNode state) {
    windows.restore(state);
  }
}

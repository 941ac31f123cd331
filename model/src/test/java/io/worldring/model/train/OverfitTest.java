package io.worldring.model.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.LlamaModel;
import io.worldring.model.ModelConfig;
import io.worldring.model.ParameterLayout;
import io.worldring.model.Parameters;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The tiny preset memorises a short text: the whole training path (forward, backward, AdamW) learns. */
class OverfitTest {
  static final int MAX_STEPS = 400;
  static final double TARGET_LOSS = 0.05;

  @Test
  void tinyModelOverfitsAShortText() {
    byte[] text = "Call me Ishmael. Some years ago, never mind how long precisely, having little money in my purse."
        .getBytes(StandardCharsets.US_ASCII);
    int[] window = new int[text.length];
    for (int i = 0; i < text.length; i++) {
      window[i] = text[i] & 0xff;
    }
    ModelConfig config = ModelConfig.preset("tiny");
    Parameters p = ParameterLayout.initialize(config, 1, DataType.FLOAT);
    SingleDeviceTrainer trainer = new SingleDeviceTrainer(new LlamaModel(config, p),
        new AdamW(new OptimizerConfig(3e-3, 10, "constant", 0, MAX_STEPS, 0.9, 0.95, 1e-8, 0.0, 1.0), p));
    List<TrainingSequence> batch = List.of(TrainingSequence.causal(window));
    double first = Double.NaN;
    double loss = Double.NaN;
    int step = 0;
    while (step < MAX_STEPS) {
      loss = trainer.step(batch).loss();
      if (step == 0) {
        first = loss;
      }
      step++;
      if (loss < TARGET_LOSS) {
        break;
      }
    }
    assertTrue(loss < TARGET_LOSS, "loss " + loss + " after " + step + " steps (started at " + first + ")");
    System.out.printf("overfit: loss %.4f -> %.4f in %d steps%n", first, loss, step);
  }
}

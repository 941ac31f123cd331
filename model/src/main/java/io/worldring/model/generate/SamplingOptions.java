package io.worldring.model.generate;

/**
 * How the next token is chosen.
 *
 * @param temperature 0 for greedy decoding
 * @param topP nucleus sampling: sample among the most likely tokens whose probabilities sum to topP (1 = all)
 * @param seed random seed for sampling
 */
public record SamplingOptions(double temperature, double topP, long seed) {
  public SamplingOptions {
    if (temperature < 0 || !(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("temperature must be >= 0 and top-p in (0, 1]");
    }
  }

  public static SamplingOptions greedy() {
    return new SamplingOptions(0, 1, 0);
  }
}

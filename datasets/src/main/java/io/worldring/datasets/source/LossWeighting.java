package io.worldring.datasets.source;

import io.worldring.model.BadInputException;

/**
 * How the loss tokens of packed examples are weighted before the batch normalisation: {@code PER_EXAMPLE}
 * gives every example the same total (1 / its loss tokens each), so packing changes nothing about how
 * much an example counts (LWM's masked packing); {@code PER_TOKEN} weighs every loss token 1 (plain token
 * averaging).
 */
public enum LossWeighting {
  PER_EXAMPLE, PER_TOKEN;

  public static LossWeighting parse(String s) {
    return switch (s) {
      case "per-example" -> PER_EXAMPLE;
      case "per-token" -> PER_TOKEN;
      default -> throw new BadInputException("loss weighting must be per-example or per-token, got '" + s + "'");
    };
  }
}

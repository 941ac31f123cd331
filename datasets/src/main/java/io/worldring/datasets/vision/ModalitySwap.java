package io.worldring.datasets.vision;

import io.worldring.model.BadInputException;

/**
 * LWM's random modality-order swap: each example's order is drawn from a generator seeded by its index
 * (LWM seeds Python's {@code random.Random} with the line number), so example k has the same order in every
 * run and after every resume, whatever came before it.
 *
 * @param textFirstProbability chance of {@link ModalityOrder#TEXT_FIRST} (LWM: an even choice)
 */
public record ModalitySwap(long seed, double textFirstProbability) {
  public ModalitySwap {
    if (!(textFirstProbability >= 0 && textFirstProbability <= 1)) {
      throw new BadInputException("text-first probability must be in [0, 1], got " + textFirstProbability);
    }
  }

  public static ModalitySwap even(long seed) {
    return new ModalitySwap(seed, 0.5);
  }

  public ModalityOrder order(long index) {
    return IndexedDraw.unit(seed, index) < textFirstProbability ? ModalityOrder.TEXT_FIRST : ModalityOrder.VISION_FIRST;
  }
}

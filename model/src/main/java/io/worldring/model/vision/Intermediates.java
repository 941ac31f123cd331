package io.worldring.model.vision;

import io.worldring.model.NativeMemory;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Activations in a forward pass are large (a 256x256 frame at 128 channels is 32 MiB) and each is read
 * once, so every step frees the one before it rather than waiting for the garbage collector.
 */
final class Intermediates {
  private Intermediates() {}

  /** Frees {@code old}, an intermediate the caller made, and returns {@code next}. */
  static INDArray replace(INDArray old, INDArray next) {
    if (old != next) {
      NativeMemory.release(old);
    }
    return next;
  }
}

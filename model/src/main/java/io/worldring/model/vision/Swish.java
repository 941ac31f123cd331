package io.worldring.model.vision;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** swish(x) = x * sigmoid(x), taming's {@code nonlinearity} (Flax's {@code nn.silu}). */
final class Swish {
  private Swish() {}

  /** Replaces {@code x} by swish(x) and returns it. */
  static INDArray applyInPlace(INDArray x) {
    INDArray gate = Transforms.sigmoid(x, true); // [same as x]
    x.muli(gate);
    gate.close();
    return x;
  }
}

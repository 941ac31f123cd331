package io.worldring.model.vision;

import io.worldring.model.NativeMemory;
import io.worldring.model.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Doubles height and width: nearest-neighbour repetition of every pixel, then a 3x3 convolution. */
final class Upsample {
  private final Conv2d conv; // [channels, channels, 3, 3]

  Upsample(Parameters w, String name) {
    this.conv = Conv2d.same3x3(w.get(name + ".conv.weight"), w.get(name + ".conv.bias"));
  }

  /** @param x [n, channels, height, width], left to the caller; returns [n, channels, 2 height, 2 width] */
  INDArray forward(INDArray x) {
    INDArray repeated = Nd4j.cnn().upsampling2d(x, 2, 2, true); // [n, channels, 2 height, 2 width]
    INDArray out = conv.forward(repeated); // [n, channels, 2 height, 2 width]
    NativeMemory.release(repeated);
    return out;
  }
}

package io.worldring.model.vision;

import io.worldring.model.NativeMemory;
import io.worldring.model.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Halves height and width: one zero row and column are added at the bottom and right (taming's pad
 * (0, 1, 0, 1); LWM pads the same way), then a 3x3 convolution with stride 2 and no padding.
 */
final class Downsample {
  private final Conv2d conv; // [channels, channels, 3, 3], stride 2

  Downsample(Parameters w, String name) {
    this.conv = new Conv2d(w.get(name + ".conv.weight"), w.get(name + ".conv.bias"), 2, 0);
  }

  /** @param x [n, channels, height, width], left to the caller; returns [n, channels, height/2, width/2] */
  INDArray forward(INDArray x) {
    long height = x.size(2);
    long width = x.size(3);
    INDArray padded = Nd4j.zeros(x.dataType(), x.size(0), x.size(1), height + 1, width + 1); // [n, channels, height+1, width+1]
    padded.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, height), NDArrayIndex.interval(0, width)).assign(x);
    INDArray out = conv.forward(padded); // [n, channels, height/2, width/2]
    NativeMemory.release(padded);
    return out;
  }
}

package io.worldring.model.vision;

import io.worldring.model.NativeMemory;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * GroupNorm (Wu and He 2018): the channels are split into {@code groups} groups; each group of each
 * sample is normalised by its own mean and (biased) variance over its channels and pixels, then every
 * channel gets its own scale and shift: y = (x - mean) / sqrt(var + eps) * weight[c] + bias[c].
 * taming uses 32 groups and eps 1e-6, as does Flax's {@code nn.GroupNorm} default in LWM.
 */
final class GroupNorm {
  private final INDArray weight; // [channels]
  private final INDArray bias; // [channels]
  private final int groups;
  private final double eps;

  GroupNorm(INDArray weight, INDArray bias, int groups, double eps) {
    if (weight.length() % groups != 0) {
      throw new IllegalArgumentException(weight.length() + " channels do not split into " + groups + " groups");
    }
    this.weight = weight;
    this.bias = bias;
    this.groups = groups;
    this.eps = eps;
  }

  /** @param x [n, channels, height, width]; returns a new array of the same shape */
  INDArray forward(INDArray x) {
    long n = x.size(0);
    long channels = x.size(1);
    long pixels = x.size(2) * x.size(3);
    INDArray out = x.dup('c'); // [n, channels, height, width], normalised in place through the views below
    INDArray grouped = out.reshape('c', n, groups, channels / groups * pixels); // [n, groups, groupSize]
    INDArray mean = grouped.mean(2); // [n, groups]
    INDArray variance = grouped.var(false, 2); // [n, groups], biased as in PyTorch and Flax
    INDArray invStd = Transforms.pow(variance.addi(eps), -0.5, false); // [n, groups]
    Broadcast.sub(grouped, mean, grouped, 0, 1);
    Broadcast.mul(grouped, invStd, grouped, 0, 1);
    INDArray perChannel = out.reshape('c', n, channels, pixels); // [n, channels, pixels]
    Broadcast.mul(perChannel, weight, perChannel, 1);
    Broadcast.add(perChannel, bias, perChannel, 1);
    NativeMemory.release(mean, invStd);
    return out;
  }
}

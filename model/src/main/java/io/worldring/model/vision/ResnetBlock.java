package io.worldring.model.vision;

import io.worldring.model.NativeMemory;
import io.worldring.model.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * taming's ResnetBlock without a timestep embedding:
 * h = conv2(swish(norm2(conv1(swish(norm1(x)))))); y = shortcut(x) + h, where the shortcut is a 1x1
 * {@code nin_shortcut} when the channel count changes and the identity otherwise. Dropout is 0 at inference.
 */
final class ResnetBlock {
  private final GroupNorm norm1;
  private final Conv2d conv1; // [out, in, 3, 3]
  private final GroupNorm norm2;
  private final Conv2d conv2; // [out, out, 3, 3]
  private final Conv2d ninShortcut; // [out, in, 1, 1], or null when in == out

  ResnetBlock(Parameters w, String name, int groups) {
    this.norm1 = new GroupNorm(w.get(name + ".norm1.weight"), w.get(name + ".norm1.bias"), groups, VqganConfig.NORM_EPS);
    this.conv1 = Conv2d.same3x3(w.get(name + ".conv1.weight"), w.get(name + ".conv1.bias"));
    this.norm2 = new GroupNorm(w.get(name + ".norm2.weight"), w.get(name + ".norm2.bias"), groups, VqganConfig.NORM_EPS);
    this.conv2 = Conv2d.same3x3(w.get(name + ".conv2.weight"), w.get(name + ".conv2.bias"));
    this.ninShortcut = w.contains(name + ".nin_shortcut.weight")
        ? Conv2d.pointwise(w.get(name + ".nin_shortcut.weight"), w.get(name + ".nin_shortcut.bias"))
        : null;
  }

  /** @param x [n, in, height, width], left to the caller; returns [n, out, height, width] */
  INDArray forward(INDArray x) {
    INDArray h = Swish.applyInPlace(norm1.forward(x)); // [n, in, height, width]
    INDArray t = conv1.forward(h); // [n, out, height, width]
    NativeMemory.release(h);
    h = Swish.applyInPlace(norm2.forward(t));
    NativeMemory.release(t);
    t = conv2.forward(h);
    NativeMemory.release(h);
    if (ninShortcut == null) {
      return t.addi(x);
    }
    INDArray shortcut = ninShortcut.forward(x); // [n, out, height, width]
    t.addi(shortcut);
    NativeMemory.release(shortcut);
    return t;
  }
}

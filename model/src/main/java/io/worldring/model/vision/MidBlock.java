package io.worldring.model.vision;

import io.worldring.model.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The middle of the encoder and of the decoder: block_1, attn_1 (taming; LWM has none), block_2. */
final class MidBlock {
  private final ResnetBlock block1;
  private final AttnBlock attn1; // null without mid attention
  private final ResnetBlock block2;

  MidBlock(VqganConfig c, Parameters w, String name) {
    this.block1 = new ResnetBlock(w, name + ".block_1", c.normGroups());
    this.attn1 = c.midAttention() ? new AttnBlock(w, name + ".attn_1", c.normGroups()) : null;
    this.block2 = new ResnetBlock(w, name + ".block_2", c.normGroups());
  }

  /** @param x [n, channels, height, width], left to the caller; returns a new array of the same shape */
  INDArray forward(INDArray x) {
    INDArray h = block1.forward(x); // [n, channels, height, width]
    if (attn1 != null) {
      h = Intermediates.replace(h, attn1.forward(h));
    }
    return Intermediates.replace(h, block2.forward(h));
  }
}

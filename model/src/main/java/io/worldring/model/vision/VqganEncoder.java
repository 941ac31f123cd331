package io.worldring.model.vision;

import io.worldring.model.Parameters;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * taming's Encoder (with {@code double_z=False}, as VQModel uses it): conv_in; per level, ResnetBlocks (each
 * followed by an AttnBlock at attention levels) and a Downsample except at the last level; the middle
 * block (ResnetBlock, optional AttnBlock, ResnetBlock); GroupNorm, swish, conv_out to z_channels.
 */
final class VqganEncoder {
  private final Conv2d convIn; // [channels, 3, 3, 3]
  private final List<List<ResnetBlock>> blocks = new ArrayList<>(); // [levels][numResBlocks]
  private final List<List<AttnBlock>> attentions = new ArrayList<>(); // [levels][numResBlocks or 0]
  private final List<Downsample> downsamples = new ArrayList<>(); // [levels - 1]
  private final MidBlock mid;
  private final GroupNorm normOut;
  private final Conv2d convOut; // [zChannels, lastLevelChannels, 3, 3]

  VqganEncoder(VqganConfig c, Parameters w) {
    int groups = c.normGroups();
    this.convIn = Conv2d.same3x3(w.get("encoder.conv_in.weight"), w.get("encoder.conv_in.bias"));
    for (int level = 0; level < c.levels(); level++) {
      String down = "encoder.down." + level;
      List<ResnetBlock> levelBlocks = new ArrayList<>();
      List<AttnBlock> levelAttentions = new ArrayList<>();
      for (int j = 0; j < c.numResBlocks(); j++) {
        levelBlocks.add(new ResnetBlock(w, down + ".block." + j, groups));
        if (c.attentionAt(level)) {
          levelAttentions.add(new AttnBlock(w, down + ".attn." + j, groups));
        }
      }
      blocks.add(levelBlocks);
      attentions.add(levelAttentions);
      if (level != c.levels() - 1) {
        downsamples.add(new Downsample(w, down + ".downsample"));
      }
    }
    this.mid = new MidBlock(c, w, "encoder.mid");
    this.normOut = new GroupNorm(w.get("encoder.norm_out.weight"), w.get("encoder.norm_out.bias"), groups, VqganConfig.NORM_EPS);
    this.convOut = Conv2d.same3x3(w.get("encoder.conv_out.weight"), w.get("encoder.conv_out.bias"));
  }

  /** @param frames [n, 3, height, width] in [-1, 1], left to the caller; returns [n, zChannels, height/f, width/f] */
  INDArray forward(INDArray frames) {
    INDArray h = convIn.forward(frames); // [n, channels, height, width]
    for (int level = 0; level < blocks.size(); level++) {
      for (int j = 0; j < blocks.get(level).size(); j++) {
        h = Intermediates.replace(h, blocks.get(level).get(j).forward(h));
        if (!attentions.get(level).isEmpty()) {
          h = Intermediates.replace(h, attentions.get(level).get(j).forward(h));
        }
      }
      if (level < downsamples.size()) {
        h = Intermediates.replace(h, downsamples.get(level).forward(h));
      }
    }
    h = Intermediates.replace(h, mid.forward(h));
    h = Intermediates.replace(h, Swish.applyInPlace(normOut.forward(h)));
    return Intermediates.replace(h, convOut.forward(h));
  }
}

package io.worldring.model.vision;

import io.worldring.model.Parameters;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * taming's Decoder: conv_in from z_channels; the middle block; per level from the deepest up,
 * numResBlocks + 1 ResnetBlocks (each followed by an AttnBlock at attention levels) and an Upsample except
 * at level 0; GroupNorm, swish, conv_out to RGB.
 */
final class VqganDecoder {
  private final Conv2d convIn; // [lastLevelChannels, zChannels, 3, 3]
  private final MidBlock mid;
  private final List<List<ResnetBlock>> blocks = new ArrayList<>(); // [levels][numResBlocks + 1], by level index
  private final List<List<AttnBlock>> attentions = new ArrayList<>(); // [levels][numResBlocks + 1 or 0]
  private final List<Upsample> upsamples = new ArrayList<>(); // [levels], null at level 0
  private final GroupNorm normOut;
  private final Conv2d convOut; // [3, channels, 3, 3]

  VqganDecoder(VqganConfig c, Parameters w) {
    int groups = c.normGroups();
    this.convIn = Conv2d.same3x3(w.get("decoder.conv_in.weight"), w.get("decoder.conv_in.bias"));
    this.mid = new MidBlock(c, w, "decoder.mid");
    for (int level = 0; level < c.levels(); level++) {
      String up = "decoder.up." + level;
      List<ResnetBlock> levelBlocks = new ArrayList<>();
      List<AttnBlock> levelAttentions = new ArrayList<>();
      for (int j = 0; j <= c.numResBlocks(); j++) {
        levelBlocks.add(new ResnetBlock(w, up + ".block." + j, groups));
        if (c.attentionAt(level)) {
          levelAttentions.add(new AttnBlock(w, up + ".attn." + j, groups));
        }
      }
      blocks.add(levelBlocks);
      attentions.add(levelAttentions);
      upsamples.add(level == 0 ? null : new Upsample(w, up + ".upsample"));
    }
    this.normOut = new GroupNorm(w.get("decoder.norm_out.weight"), w.get("decoder.norm_out.bias"), groups, VqganConfig.NORM_EPS);
    this.convOut = Conv2d.same3x3(w.get("decoder.conv_out.weight"), w.get("decoder.conv_out.bias"));
  }

  /** @param z [n, zChannels, height, width], left to the caller; returns [n, 3, height f, width f], unclipped */
  INDArray forward(INDArray z) {
    INDArray h = convIn.forward(z); // [n, lastLevelChannels, height, width]
    h = Intermediates.replace(h, mid.forward(h));
    for (int level = blocks.size() - 1; level >= 0; level--) {
      for (int j = 0; j < blocks.get(level).size(); j++) {
        h = Intermediates.replace(h, blocks.get(level).get(j).forward(h));
        if (!attentions.get(level).isEmpty()) {
          h = Intermediates.replace(h, attentions.get(level).get(j).forward(h));
        }
      }
      if (upsamples.get(level) != null) {
        h = Intermediates.replace(h, upsamples.get(level).forward(h));
      }
    }
    h = Intermediates.replace(h, Swish.applyInPlace(normOut.forward(h)));
    return Intermediates.replace(h, convOut.forward(h));
  }
}

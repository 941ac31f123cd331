package io.worldring.model.vision;

import java.util.List;

/**
 * The shape of a taming-transformers VQGAN ({@code VQModel} with its {@code Encoder}, {@code Decoder} and
 * {@code VectorQuantizer2}); the field names are taming's {@code ddconfig} keys in Java case.
 *
 * <p>Attention is placed as taming places it: at level {@code i} when {@code resolution >> i} is one of
 * {@code attnResolutions}, where {@code resolution} is the frame side the checkpoint was built for. So the
 * set of weights depends on the config only, and a smaller frame runs through the same weights (frames
 * need only be a multiple of {@link #downsampleFactor()} on each side).
 *
 * @param resolution frame side the checkpoint was built for (256 for both presets)
 * @param channels taming's {@code ch}: channels after {@code conv_in}
 * @param channelMult taming's {@code ch_mult}: level i has {@code channels * channelMult[i]} channels;
 *     {@code channelMult.size() - 1} downsamplings make the factor f
 * @param numResBlocks ResnetBlocks per encoder level (the decoder has one more per level)
 * @param attnResolutions nominal sides at which each ResnetBlock is followed by an AttnBlock
 * @param midAttention whether the middle block has {@code attn_1} (taming: always; LWM: no)
 * @param zChannels channels of the encoder output and decoder input
 * @param embedDim code vector size ({@code quant_conv} maps zChannels to it)
 * @param codebookSize number of codes
 * @param normGroups GroupNorm groups (32 in both presets; tiny test configs use fewer channels)
 */
public record VqganConfig(int resolution, int channels, List<Integer> channelMult, int numResBlocks,
    List<Integer> attnResolutions, boolean midAttention, int zChannels, int embedDim, int codebookSize, int normGroups) {

  /** GroupNorm epsilon of taming's {@code Normalize} and of Flax's {@code nn.GroupNorm}. */
  public static final double NORM_EPS = 1e-6;

  public VqganConfig {
    channelMult = List.copyOf(channelMult);
    attnResolutions = List.copyOf(attnResolutions);
    if (channelMult.isEmpty() || resolution <= 0 || channels <= 0 || numResBlocks <= 0 || zChannels <= 0 || embedDim <= 0
        || codebookSize <= 0 || normGroups <= 0) {
      throw new IllegalArgumentException("every size must be positive: " + this);
    }
    if (resolution % (1 << (channelMult.size() - 1)) != 0) {
      throw new IllegalArgumentException("resolution " + resolution + " is not a multiple of the factor " + (1 << (channelMult.size() - 1)));
    }
    for (int m : channelMult) {
      if (m <= 0 || channels * m % normGroups != 0) {
        throw new IllegalArgumentException("level channels " + channels + "*" + m + " must be a positive multiple of " + normGroups + " groups");
      }
    }
  }

  /**
   * The VQGAN LWM ships and loads in {@code lwm/vqgan.py} ({@code VQGANConfig} defaults): f16, 8192 codes of
   * 64 dimensions, ch 128, ch_mult (1, 2, 2, 4, 6), 2 ResnetBlocks per level, no attention anywhere
   * ({@code attn_resolutions=()}, {@code no_attn_mid_block=True}), z_channels 64. A 256x256 frame becomes
   * 16x16 = 256 codes.
   */
  public static VqganConfig f16x8192() {
    return new VqganConfig(256, 128, List.of(1, 2, 2, 4, 6), 2, List.of(), false, 64, 64, 8192, 32);
  }

  /**
   * taming-transformers' f16 VQGAN layout (its ImageNet f16 configs) with 8192 codes: ch 128,
   * ch_mult (1, 1, 2, 2, 4), 2 ResnetBlocks per level, attention at 16x16 and in the middle block,
   * z_channels = embed_dim = 256. Not LWM's checkpoint (see {@link #f16x8192()}), but the same code runs it.
   */
  public static VqganConfig tamingF16x8192() {
    return new VqganConfig(256, 128, List.of(1, 1, 2, 2, 4), 2, List.of(16), true, 256, 256, 8192, 32);
  }

  /**
   * A small VQGAN for tests: 32x32 frames, f4 (8x8 = 64 codes), 64 codes of 8 dimensions, with a channel
   * change (so nin_shortcut), attention at 8x8 and in the middle block, so every kind of block runs.
   */
  public static VqganConfig tiny() {
    return new VqganConfig(32, 16, List.of(1, 2, 2), 1, List.of(8), true, 8, 8, 64, 4);
  }

  /** The preset called {@code name}: {@code f16x8192} (LWM's), {@code taming-f16x8192} or {@code tiny}. */
  public static VqganConfig preset(String name) {
    return switch (name) {
      case "f16x8192" -> f16x8192();
      case "taming-f16x8192" -> tamingF16x8192();
      case "tiny" -> tiny();
      default -> throw new IllegalArgumentException("unknown VQGAN preset '" + name + "' (known: f16x8192, taming-f16x8192, tiny)");
    };
  }

  public int levels() {
    return channelMult.size();
  }

  /** f: how many pixels per side one code covers. */
  public int downsampleFactor() {
    return 1 << (levels() - 1);
  }

  /** Channels of level {@code level}'s blocks. */
  public int levelChannels(int level) {
    return channels * channelMult.get(level);
  }

  /** Whether level {@code level}'s ResnetBlocks are each followed by an AttnBlock. */
  public boolean attentionAt(int level) {
    return attnResolutions.contains(resolution >> level);
  }

  /** Codes per side for a frame of {@code side} pixels. */
  public int latentSide(int side) {
    if (side % downsampleFactor() != 0) {
      throw new IllegalArgumentException("frame side " + side + " is not a multiple of the factor " + downsampleFactor());
    }
    return side / downsampleFactor();
  }
}

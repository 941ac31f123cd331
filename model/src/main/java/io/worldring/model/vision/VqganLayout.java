package io.worldring.model.vision;

import io.worldring.model.Parameters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every tensor of a VQGAN, in one walk over the architecture: its name in a taming-transformers
 * {@code state_dict} (which is also our name, with PyTorch's OIHW kernels) and its name in LWM's Flax
 * checkpoint flattened with dots (HWIO kernels, GroupNorm {@code scale}, {@code quantize.embeddings}).
 *
 * <p>Flax names its submodules by class and creation order, so LWM's decoder blocks are numbered from the
 * deepest level: {@code decoder.UpsamplingBlock_0} is taming's {@code decoder.up.4} (for five levels).
 */
public final class VqganLayout {
  /** A ResnetBlock's or AttnBlock's tensors come in this order; see {@link #tensors}. */
  public record Tensor(String name, String flaxName, long[] shape) {
    /** A convolution kernel: OIHW here, HWIO in Flax. */
    public boolean isKernel() {
      return shape.length == 4;
    }

    /** The shape in LWM's Flax checkpoint. */
    public long[] flaxShape() {
      return isKernel() ? new long[] {shape[2], shape[3], shape[1], shape[0]} : shape;
    }

    public long elements() {
      long n = 1;
      for (long s : shape) {
        n *= s;
      }
      return n;
    }
  }

  private final List<Tensor> tensors = new ArrayList<>();

  private VqganLayout() {}

  /** Every tensor {@code config} needs, encoder first, then decoder, quantizer and the two 1x1 convs. */
  public static List<Tensor> tensors(VqganConfig config) {
    VqganLayout l = new VqganLayout();
    l.encoder(config);
    l.decoder(config);
    l.tensors.add(new Tensor("quantize.embedding.weight", "quantize.embeddings", new long[] {config.codebookSize(), config.embedDim()}));
    l.conv("quant_conv", "quant_conv", config.embedDim(), config.zChannels(), 1);
    l.conv("post_quant_conv", "post_quant_conv", config.zChannels(), config.embedDim(), 1);
    return Collections.unmodifiableList(l.tensors);
  }

  /** The number of weights (elements of all tensors). */
  public static long parameterCount(VqganConfig config) {
    return tensors(config).stream().mapToLong(Tensor::elements).sum();
  }

  /**
   * Random weights for tests and smoke runs (no pretrained weights are available offline): kernels
   * uniform with variance 1/fan_in, so activations keep their scale; GroupNorm scales near 1; codes with
   * unit variance, like the quant_conv outputs they are compared with. Deterministic for a seed.
   */
  public static Parameters random(VqganConfig config, long seed) {
    Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
    Parameters out = new Parameters();
    for (Tensor t : tensors(config)) {
      INDArray value;
      if (t.isKernel()) {
        double bound = Math.sqrt(3.0 / (t.shape()[1] * t.shape()[2] * t.shape()[3]));
        value = Nd4j.rand(t.shape(), -bound, bound, rng);
      } else if (t.name().endsWith("embedding.weight")) {
        value = Nd4j.rand(t.shape(), -Math.sqrt(3), Math.sqrt(3), rng);
      } else if (isNormScale(t)) {
        value = Nd4j.rand(t.shape(), 0.8, 1.2, rng);
      } else {
        value = Nd4j.rand(t.shape(), -0.1, 0.1, rng);
      }
      out.put(t.name(), value.castTo(DataType.FLOAT));
    }
    return out;
  }

  private static boolean isNormScale(Tensor t) {
    return t.flaxName().endsWith(".scale");
  }

  private void encoder(VqganConfig c) {
    conv("encoder.conv_in", "encoder.Conv_0", c.channels(), 3, 3);
    int blockIn = c.channels();
    for (int level = 0; level < c.levels(); level++) {
      String down = "encoder.down." + level;
      String flax = "encoder.DownsamplingBlock_" + level;
      int blockOut = c.levelChannels(level);
      for (int j = 0; j < c.numResBlocks(); j++) {
        resnet(down + ".block." + j, flax + ".ResnetBlock_" + j, blockIn, blockOut);
        blockIn = blockOut;
        if (c.attentionAt(level)) {
          attn(down + ".attn." + j, flax + ".AttnBlock_" + j, blockIn);
        }
      }
      if (level != c.levels() - 1) {
        conv(down + ".downsample.conv", flax + ".Downsample_0.Conv_0", blockIn, blockIn, 3);
      }
    }
    mid("encoder", c, blockIn);
    norm("encoder.norm_out", "encoder.GroupNorm_0", blockIn);
    conv("encoder.conv_out", "encoder.Conv_1", c.zChannels(), blockIn, 3);
  }

  private void decoder(VqganConfig c) {
    int last = c.levels() - 1;
    int blockIn = c.levelChannels(last);
    conv("decoder.conv_in", "decoder.Conv_0", blockIn, c.zChannels(), 3);
    mid("decoder", c, blockIn);
    for (int level = last; level >= 0; level--) {
      String up = "decoder.up." + level;
      String flax = "decoder.UpsamplingBlock_" + (last - level);
      int blockOut = c.levelChannels(level);
      for (int j = 0; j <= c.numResBlocks(); j++) {
        resnet(up + ".block." + j, flax + ".ResnetBlock_" + j, blockIn, blockOut);
        blockIn = blockOut;
        if (c.attentionAt(level)) {
          attn(up + ".attn." + j, flax + ".AttnBlock_" + j, blockIn);
        }
      }
      if (level != 0) {
        conv(up + ".upsample.conv", flax + ".Upsample_0.Conv_0", blockIn, blockIn, 3);
      }
    }
    norm("decoder.norm_out", "decoder.GroupNorm_0", blockIn);
    conv("decoder.conv_out", "decoder.Conv_1", 3, blockIn, 3);
  }

  private void mid(String part, VqganConfig c, int channels) {
    resnet(part + ".mid.block_1", part + ".MidBlock_0.ResnetBlock_0", channels, channels);
    if (c.midAttention()) {
      attn(part + ".mid.attn_1", part + ".MidBlock_0.AttnBlock_0", channels);
    }
    resnet(part + ".mid.block_2", part + ".MidBlock_0.ResnetBlock_1", channels, channels);
  }

  private void resnet(String name, String flax, int in, int out) {
    norm(name + ".norm1", flax + ".GroupNorm_0", in);
    conv(name + ".conv1", flax + ".Conv_0", out, in, 3);
    norm(name + ".norm2", flax + ".GroupNorm_1", out);
    conv(name + ".conv2", flax + ".Conv_1", out, out, 3);
    if (in != out) {
      conv(name + ".nin_shortcut", flax + ".Conv_2", out, in, 1);
    }
  }

  private void attn(String name, String flax, int channels) {
    norm(name + ".norm", flax + ".GroupNorm_0", channels);
    conv(name + ".q", flax + ".Conv_0", channels, channels, 1);
    conv(name + ".k", flax + ".Conv_1", channels, channels, 1);
    conv(name + ".v", flax + ".Conv_2", channels, channels, 1);
    conv(name + ".proj_out", flax + ".Conv_3", channels, channels, 1);
  }

  private void conv(String name, String flax, int out, int in, int kernel) {
    tensors.add(new Tensor(name + ".weight", flax + ".kernel", new long[] {out, in, kernel, kernel}));
    tensors.add(new Tensor(name + ".bias", flax + ".bias", new long[] {out}));
  }

  private void norm(String name, String flax, int channels) {
    tensors.add(new Tensor(name + ".weight", flax + ".scale", new long[] {channels}));
    tensors.add(new Tensor(name + ".bias", flax + ".bias", new long[] {channels}));
  }
}

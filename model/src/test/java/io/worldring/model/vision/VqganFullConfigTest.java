package io.worldring.model.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.SplitMix64;
import io.worldring.model.TestTensors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The full-size configs: the name and shape table and the parameter counts (expected values computed
 * separately from the architecture's formulas, not from {@link VqganLayout}), and LWM's f16x8192 run with
 * random weights on a 32x32 frame. A 256x256 frame took 7.5 s to encode and 21 s to decode on two
 * shared cores, too slow for the suite; the 32x32 frame goes through every layer with the real weight shapes.
 */
class VqganFullConfigTest {
  private static Map<String, VqganLayout.Tensor> byName(VqganConfig c) {
    Map<String, VqganLayout.Tensor> out = new LinkedHashMap<>();
    for (VqganLayout.Tensor t : VqganLayout.tensors(c)) {
      out.put(t.name(), t);
    }
    return out;
  }

  private static void assertTensor(Map<String, VqganLayout.Tensor> table, String name, String flaxName, long... shape) {
    VqganLayout.Tensor t = table.get(name);
    assertTrue(t != null, "no tensor " + name);
    assertArrayEquals(shape, t.shape(), name);
    assertEquals(flaxName, t.flaxName(), name);
  }

  @Test
  void lwmF16x8192Table() {
    VqganConfig c = VqganConfig.f16x8192();
    Map<String, VqganLayout.Tensor> t = byName(c);
    assertEquals(277, t.size());
    assertEquals(146_244_675L, VqganLayout.parameterCount(c));
    assertEquals(16, c.downsampleFactor());
    assertTensor(t, "encoder.conv_in.weight", "encoder.Conv_0.kernel", 128, 3, 3, 3);
    assertArrayEquals(new long[] {3, 3, 3, 128}, t.get("encoder.conv_in.weight").flaxShape(), "Flax kernels are HWIO");
    assertTensor(t, "encoder.down.0.block.1.norm2.weight", "encoder.DownsamplingBlock_0.ResnetBlock_1.GroupNorm_1.scale", 128);
    assertTensor(t, "encoder.down.1.block.0.nin_shortcut.weight", "encoder.DownsamplingBlock_1.ResnetBlock_0.Conv_2.kernel", 256, 128, 1, 1);
    assertTensor(t, "encoder.down.3.downsample.conv.weight", "encoder.DownsamplingBlock_3.Downsample_0.Conv_0.kernel", 512, 512, 3, 3);
    assertTensor(t, "encoder.down.4.block.0.conv1.weight", "encoder.DownsamplingBlock_4.ResnetBlock_0.Conv_0.kernel", 768, 512, 3, 3);
    assertTensor(t, "encoder.mid.block_2.conv2.bias", "encoder.MidBlock_0.ResnetBlock_1.Conv_1.bias", 768);
    assertTensor(t, "encoder.norm_out.bias", "encoder.GroupNorm_0.bias", 768);
    assertTensor(t, "encoder.conv_out.weight", "encoder.Conv_1.kernel", 64, 768, 3, 3);
    assertTensor(t, "quant_conv.weight", "quant_conv.kernel", 64, 64, 1, 1);
    assertTensor(t, "quantize.embedding.weight", "quantize.embeddings", 8192, 64);
    assertTensor(t, "post_quant_conv.bias", "post_quant_conv.bias", 64);
    assertTensor(t, "decoder.conv_in.weight", "decoder.Conv_0.kernel", 768, 64, 3, 3);
    // Flax numbers decoder blocks in creation order, deepest first
    assertTensor(t, "decoder.up.4.block.2.conv2.weight", "decoder.UpsamplingBlock_0.ResnetBlock_2.Conv_1.kernel", 768, 768, 3, 3);
    assertTensor(t, "decoder.up.4.upsample.conv.weight", "decoder.UpsamplingBlock_0.Upsample_0.Conv_0.kernel", 768, 768, 3, 3);
    assertTensor(t, "decoder.up.3.block.0.nin_shortcut.weight", "decoder.UpsamplingBlock_1.ResnetBlock_0.Conv_2.kernel", 512, 768, 1, 1);
    assertTensor(t, "decoder.up.0.block.0.conv1.weight", "decoder.UpsamplingBlock_4.ResnetBlock_0.Conv_0.kernel", 128, 256, 3, 3);
    assertTensor(t, "decoder.conv_out.weight", "decoder.Conv_1.kernel", 3, 128, 3, 3);
    assertFalse(t.containsKey("decoder.up.0.upsample.conv.weight"), "level 0 does not upsample");
    assertFalse(t.containsKey("encoder.down.4.downsample.conv.weight"), "the last level does not downsample");
    assertTrue(t.keySet().stream().noneMatch(n -> n.contains("attn")), "LWM's VQGAN has no attention");
  }

  @Test
  void tamingF16x8192Table() {
    VqganConfig c = VqganConfig.tamingF16x8192();
    Map<String, VqganLayout.Tensor> t = byName(c);
    assertEquals(343, t.size());
    assertEquals(73_976_707L, VqganLayout.parameterCount(c));
    assertTensor(t, "encoder.down.4.attn.1.proj_out.weight", "encoder.DownsamplingBlock_4.AttnBlock_1.Conv_3.kernel", 512, 512, 1, 1);
    assertTensor(t, "encoder.mid.attn_1.q.bias", "encoder.MidBlock_0.AttnBlock_0.Conv_0.bias", 512);
    assertTensor(t, "decoder.up.4.attn.2.norm.weight", "decoder.UpsamplingBlock_0.AttnBlock_2.GroupNorm_0.scale", 512);
    assertTensor(t, "quantize.embedding.weight", "quantize.embeddings", 8192, 256);
    assertFalse(t.containsKey("encoder.down.3.attn.0.q.weight"), "attention only at 16x16");
    assertEquals(List.of(16), c.attnResolutions());
  }

  @Test
  void lwmF16x8192RunsWithRandomWeights() {
    VqganConfig c = VqganConfig.f16x8192();
    Vqgan vqgan = new Vqgan(c, VqganLayout.random(c, 1));
    assertEquals(256, vqgan.codesPerFrame(), "a 256x256 frame is 16x16 codes");
    INDArray x = TestTensors.random(new SplitMix64(3), DataType.FLOAT, 0.5, 1, 3, 32, 32);
    INDArray codes = vqgan.encodeGrid(x);
    assertArrayEquals(new long[] {1, 2, 2}, codes.shape());
    INDArray decoded = vqgan.decodeGrid(codes);
    assertArrayEquals(new long[] {1, 3, 32, 32}, decoded.shape());
    assertTrue(decoded.maxNumber().doubleValue() <= 1 && decoded.minNumber().doubleValue() >= -1);
    assertEquals(codes, vqgan.encodeGrid(x), "deterministic");
  }
}

package io.worldring.model.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.BadInputException;
import io.worldring.model.Parameters;
import io.worldring.model.SplitMix64;
import io.worldring.model.TestTensors;
import io.worldring.model.io.Safetensors;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The whole VQGAN with random weights (no pretrained weights offline) on {@link VqganConfig#tiny()}, which
 * has every kind of block: against {@link Reference}, shapes, determinism, and loading in both namings.
 */
class VqganTest {
  private static final VqganConfig TINY = VqganConfig.tiny();

  private static INDArray frames(long seed, int n, int side) {
    return TestTensors.random(new SplitMix64(seed), DataType.FLOAT, 0.5, n, 3, side, side);
  }

  @Test
  void encoderAndDecoderMatchTheLoopReference() {
    Parameters w = VqganLayout.random(TINY, 7);
    Vqgan vqgan = new Vqgan(TINY, w);
    Reference ref = new Reference(TINY, w);
    INDArray x = frames(1, 2, 32);
    // tolerance: 1e-3 of the largest value; float rounding through ~20 layers
    StringBuilder where = new StringBuilder();
    double[][][][] expected = ref.latents(Reference.of(x));
    double diff = Reference.maxDiff(expected, vqgan.latents(x), where);
    assertTrue(diff <= 1e-3 * Math.max(1, Reference.maxAbs(expected)), "latents: max |diff| " + diff + " at " + where);

    INDArray codes = vqgan.encodeGrid(x);
    INDArray embedded = new VectorQuantizer(w.get("quantize.embedding.weight")).embed(codes);
    double[][][][] decoded = ref.decode(Reference.of(embedded));
    diff = Reference.maxDiff(decoded, vqgan.decoderOutput(codes), where);
    assertTrue(diff <= 1e-3 * Math.max(1, Reference.maxAbs(decoded)), "decoder: max |diff| " + diff + " at " + where);
  }

  @Test
  void codesAreTheExactNearestOfTheLatents() {
    Parameters w = VqganLayout.random(TINY, 7);
    Vqgan vqgan = new Vqgan(TINY, w);
    INDArray x = frames(2, 2, 32);
    INDArray latents = vqgan.latents(x); // [2, 8, 8, 8]
    int[] expected = NearestCodeTest.bruteForce(latents.permute(0, 2, 3, 1).dup('c').reshape(2 * 8 * 8, 8), w.get("quantize.embedding.weight"));
    assertArrayEquals(expected, vqgan.encodeGrid(x).dup('c').data().asInt());
  }

  @Test
  void shapesOfTheGridAndOfTheFrameCodec() {
    Vqgan vqgan = new Vqgan(TINY, VqganLayout.random(TINY, 3));
    assertEquals(32, vqgan.frameSize());
    assertEquals(8, vqgan.gridSize());
    assertEquals(64, vqgan.codesPerFrame());
    assertEquals(64, vqgan.codebookSize());
    INDArray x = frames(3, 2, 32);
    INDArray grid = vqgan.encodeGrid(x);
    assertArrayEquals(new long[] {2, 8, 8}, grid.shape());
    INDArray decoded = vqgan.decodeGrid(grid);
    assertArrayEquals(new long[] {2, 3, 32, 32}, decoded.shape());
    assertTrue(decoded.maxNumber().doubleValue() <= 1 && decoded.minNumber().doubleValue() >= -1, "clipped to [-1, 1]");
    assertArrayEquals(new long[] {1, 4, 4}, vqgan.encodeGrid(frames(4, 1, 16)).shape(), "a smaller frame, same weights");

    int[] codes = vqgan.encode(x.slice(1));
    assertEquals(64, codes.length);
    assertArrayEquals(grid.slice(1).dup('c').data().asInt(), codes, "one frame encodes as in the batch");
    for (int c : codes) {
      assertTrue(c >= 0 && c < 64);
    }
    INDArray frame = vqgan.decode(codes);
    assertArrayEquals(new long[] {3, 32, 32}, frame.shape());
    assertEquals(decoded.slice(1), frame);
    assertThrows(IllegalArgumentException.class, () -> vqgan.encode(Nd4j.zeros(DataType.FLOAT, 3, 16, 16)));
    BadInputException e = assertThrows(BadInputException.class, () -> vqgan.decode(new int[] {1, 2}));
    assertTrue(e.getMessage().contains("expected 64 codes"), e.getMessage());
    int[] bad = codes.clone();
    bad[5] = 64;
    e = assertThrows(BadInputException.class, () -> vqgan.decode(bad));
    assertTrue(e.getMessage().contains("code 64 at position 5"), e.getMessage());
  }

  @Test
  void deterministicForASeed() {
    INDArray x = frames(5, 2, 32);
    Vqgan a = new Vqgan(TINY, VqganLayout.random(TINY, 9));
    Vqgan b = new Vqgan(TINY, VqganLayout.random(TINY, 9));
    INDArray codesA = a.encodeGrid(x);
    assertEquals(codesA, b.encodeGrid(x));
    assertEquals(codesA, a.encodeGrid(x), "the same model twice");
    assertEquals(a.decodeGrid(codesA), b.decodeGrid(codesA));
    assertTrue(!codesA.equals(new Vqgan(TINY, VqganLayout.random(TINY, 10)).encodeGrid(x)), "another seed, other codes");
  }

  @Test
  void tamingNamedFileRoundTrips(@TempDir Path dir) {
    Parameters w = VqganLayout.random(TINY, 4);
    Path file = dir.resolve("vqgan.safetensors");
    VqganWeights.write(file, TINY, w);
    Parameters read = VqganWeights.read(file, TINY);
    for (String name : w.names()) {
      assertEquals(w.get(name), read.get(name), name);
    }
    INDArray x = frames(6, 1, 32);
    assertEquals(new Vqgan(TINY, w).encodeGrid(x), Vqgan.load(file, TINY).encodeGrid(x));
  }

  /** LWM's checkpoint flattened with dots: Flax names, HWIO kernels (see the package documentation). */
  static void writeLwmFlax(Path file, VqganConfig config, Parameters w) {
    Parameters flax = new Parameters();
    for (VqganLayout.Tensor t : VqganLayout.tensors(config)) {
      INDArray v = w.get(t.name());
      flax.put(t.flaxName(), t.isKernel() ? v.permute(2, 3, 1, 0).dup('c') : v);
    }
    Safetensors.write(file, flax, Map.of());
  }

  @Test
  void lwmFlaxNamedFileLoadsToTheSameWeights(@TempDir Path dir) {
    Parameters w = VqganLayout.random(TINY, 4);
    Path file = dir.resolve("lwm.safetensors");
    writeLwmFlax(file, TINY, w);
    Parameters read = VqganWeights.read(file, TINY);
    for (String name : w.names()) {
      assertEquals(w.get(name), read.get(name), name);
    }
  }

  private static String rejected(Path file, VqganConfig config) {
    BadInputException e = assertThrows(BadInputException.class, () -> VqganWeights.read(file, config));
    assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void wrongFilesAreRejectedNamingTheTensor(@TempDir Path dir) {
    Parameters w = VqganLayout.random(TINY, 4);
    Path good = dir.resolve("good.safetensors");
    VqganWeights.write(good, TINY, w);

    Parameters missing = new Parameters();
    w.asMap().forEach((k, v) -> {
      if (!k.equals("decoder.up.1.block.1.conv2.bias")) {
        missing.put(k, v);
      }
    });
    Path f = dir.resolve("missing.safetensors");
    Safetensors.write(f, missing, Map.of());
    assertTrue(rejected(f, TINY).contains("missing tensor decoder.up.1.block.1.conv2.bias"));

    Parameters reshaped = w.copy().put("encoder.conv_in.weight", Nd4j.zeros(DataType.FLOAT, 16, 3, 1, 1));
    f = dir.resolve("shape.safetensors");
    Safetensors.write(f, reshaped, Map.of());
    String message = rejected(f, TINY);
    assertTrue(message.contains("tensor encoder.conv_in.weight has shape [16, 3, 1, 1]") && message.contains("[16, 3, 3, 3]"), message);

    VqganConfig noMidAttention = new VqganConfig(32, 16, java.util.List.of(1, 2, 2), 1, java.util.List.of(8), false, 8, 8, 64, 4);
    assertTrue(rejected(good, noMidAttention).contains("unexpected tensor encoder.mid.attn_1"), "a file for another config");

    f = dir.resolve("other.safetensors");
    Safetensors.write(f, new Parameters().put("w", Nd4j.zeros(DataType.FLOAT, 2)), Map.of());
    assertTrue(rejected(f, TINY).contains("is it a VQGAN checkpoint"));

    Path flax = dir.resolve("flax.safetensors");
    writeLwmFlax(flax, noMidAttention, VqganLayout.random(noMidAttention, 1));
    assertTrue(rejected(flax, TINY).contains("missing tensor encoder.MidBlock_0.AttnBlock_0.GroupNorm_0.scale"), "Flax names in the message");

    Parameters extraLoss = w.copy().put("loss.discriminator.main.0.weight", Nd4j.zeros(DataType.FLOAT, 2));
    f = dir.resolve("with-loss.safetensors");
    Safetensors.write(f, extraLoss, Map.of());
    assertEquals(w.size(), VqganWeights.read(f, TINY).size(), "taming's discriminator weights are ignored");
  }
}

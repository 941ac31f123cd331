package io.worldring.model.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.Parameters;
import io.worldring.model.SplitMix64;
import io.worldring.model.TestTensors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Each building block in ND4J against {@link Reference}'s plain loops in double, on small odd-sized
 * inputs (so a swapped height and width would show). Tolerance: max |diff| <= 1e-4 max(1, max |reference|),
 * float rounding of sums of a few hundred terms.
 */
class VqganOpsTest {
  private static final double TOLERANCE = 1e-4;
  private final SplitMix64 rng = new SplitMix64(11);

  private INDArray random(double std, long... shape) {
    return TestTensors.random(rng, DataType.FLOAT, std, shape);
  }

  private static double[] vec(INDArray a) {
    return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
  }

  private static void assertClose(double[][][][] expected, INDArray actual, String what) {
    assertArrayEquals(new long[] {expected.length, expected[0].length, expected[0][0].length, expected[0][0][0].length}, actual.shape(), what + " shape");
    StringBuilder where = new StringBuilder();
    double diff = Reference.maxDiff(expected, actual, where);
    double bound = TOLERANCE * Math.max(1, Reference.maxAbs(expected));
    assertTrue(diff <= bound, what + ": max |diff| " + diff + " > " + bound + " at " + where);
  }

  @Test
  void convolutionsMatchLoops() {
    INDArray x = random(1, 2, 5, 7, 6);
    INDArray w3 = random(0.3, 4, 5, 3, 3);
    INDArray b = random(0.5, 4);
    double[][][][] ref = Reference.conv(Reference.of(x), vec(w3), vec(b), 4, 3, 1, 1, 1, 1, 1);
    assertClose(ref, Conv2d.same3x3(w3, b).forward(x), "3x3 padding 1");
    INDArray w1 = random(0.3, 4, 5, 1, 1);
    assertClose(Reference.conv(Reference.of(x), vec(w1), vec(b), 4, 1, 1, 0, 0, 0, 0), Conv2d.pointwise(w1, b).forward(x), "1x1");
  }

  @Test
  void downsamplePadsBottomRightThenStridesByTwo() {
    INDArray x = random(1, 2, 4, 8, 6);
    Parameters p = new Parameters().put("d.conv.weight", random(0.3, 4, 4, 3, 3)).put("d.conv.bias", random(0.5, 4));
    double[][][][] ref = Reference.conv(Reference.of(x), vec(p.get("d.conv.weight")), vec(p.get("d.conv.bias")), 4, 3, 2, 0, 0, 1, 1);
    assertClose(ref, new Downsample(p, "d").forward(x), "downsample");
  }

  @Test
  void upsampleRepeatsPixelsThenConvolves() {
    INDArray x = random(1, 2, 4, 3, 5);
    Parameters p = new Parameters().put("u.conv.weight", random(0.3, 4, 4, 3, 3)).put("u.conv.bias", random(0.5, 4));
    double[][][][] ref = Reference.conv(Reference.nearestUpsample(Reference.of(x)), vec(p.get("u.conv.weight")), vec(p.get("u.conv.bias")),
        4, 3, 1, 1, 1, 1, 1);
    assertClose(ref, new Upsample(p, "u").forward(x), "upsample");
  }

  @Test
  void groupNormMatchesLoops() {
    INDArray x = random(2, 2, 8, 5, 3).addi(0.7); // a non-zero mean, so centring matters
    INDArray scale = random(1, 8);
    INDArray shift = random(1, 8);
    double[][][][] ref = Reference.groupNorm(Reference.of(x), vec(scale), vec(shift), 4, 1e-6);
    assertClose(ref, new GroupNorm(scale, shift, 4, 1e-6).forward(x), "group norm");
  }

  private Parameters blockWeights(String name, int in, int out) {
    Parameters p = new Parameters()
        .put(name + ".norm1.weight", random(1, in)).put(name + ".norm1.bias", random(1, in))
        .put(name + ".conv1.weight", random(0.2, out, in, 3, 3)).put(name + ".conv1.bias", random(0.2, out))
        .put(name + ".norm2.weight", random(1, out)).put(name + ".norm2.bias", random(1, out))
        .put(name + ".conv2.weight", random(0.2, out, out, 3, 3)).put(name + ".conv2.bias", random(0.2, out));
    if (in != out) {
      p.put(name + ".nin_shortcut.weight", random(0.3, out, in, 1, 1)).put(name + ".nin_shortcut.bias", random(0.2, out));
    }
    return p;
  }

  @Test
  void resnetBlockMatchesLoops() {
    VqganConfig groups4 = new VqganConfig(8, 4, java.util.List.of(1), 1, java.util.List.of(), false, 4, 4, 4, 4);
    INDArray x = random(1, 2, 4, 5, 6);
    for (int out : new int[] {4, 8}) {
      Parameters p = blockWeights("r", 4, out);
      assertClose(new Reference(groups4, p).resnet(Reference.of(x), "r"), new ResnetBlock(p, "r", 4).forward(x),
          "resnet block 4 -> " + out);
    }
  }

  @Test
  void attentionBlockMatchesLoops() {
    VqganConfig groups4 = new VqganConfig(8, 4, java.util.List.of(1), 1, java.util.List.of(), false, 4, 4, 4, 4);
    INDArray x = random(1, 2, 8, 3, 5);
    Parameters p = new Parameters().put("a.norm.weight", random(1, 8)).put("a.norm.bias", random(1, 8));
    for (String conv : new String[] {"q", "k", "v", "proj_out"}) {
      p.put("a." + conv + ".weight", random(0.5, 8, 8, 1, 1)).put("a." + conv + ".bias", random(0.2, 8));
    }
    assertClose(new Reference(groups4, p).attn(Reference.of(x), "a"), new AttnBlock(p, "a", 4).forward(x), "attention block");
  }
}

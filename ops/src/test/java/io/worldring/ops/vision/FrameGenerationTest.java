package io.worldring.ops.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.worldring.datasets.ByteTokenizer;
import io.worldring.datasets.vision.CaptionFormat;
import io.worldring.datasets.vision.VisionExample;
import io.worldring.datasets.vision.VisionVocabulary;
import io.worldring.model.LlamaModel;
import io.worldring.model.Modality;
import io.worldring.model.generate.SamplingOptions;
import io.worldring.ops.VisionFixtures;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Frame generation against a naive reference: the full forward pass over the whole sequence at every step,
 * no KV cache, guidance and forced frame ends written out from LWM's description.
 */
class FrameGenerationTest {
  static final VisionVocabulary VOCAB = new VisionVocabulary(VisionFixtures.CODEBOOK);
  static final int CODES = 4;

  @Test
  void guidedGreedyGenerationEqualsTheFullForwardReference() {
    LlamaModel model = VisionFixtures.model(VisionFixtures.config(VOCAB.size()), 3);
    CaptionFormat format = new CaptionFormat(new ByteTokenizer(), VOCAB);
    VisionExample prompt = format.generationPrompt("two blue circles");
    VisionExample uncond = format.unconditionalPrompt();
    double scale = 2.5;
    int frames = 3;
    FrameGeneration.Result r = new FrameGeneration(model, VOCAB, CODES).generate(prompt, uncond,
        new FrameGeneration.Settings(frames, true, scale, SamplingOptions.greedy(), 0));

    int[] cond = prompt.tokens();
    boolean[] condMask = prompt.vision();
    int[] free = uncond.tokens();
    boolean[] freeMask = uncond.vision();
    int[] expected = new int[frames * (CODES + 1)];
    for (int i = 0; i < expected.length; i++) {
      int inFrame = i % (CODES + 1);
      int token;
      if (inFrame == CODES) {
        token = i == expected.length - 1 ? VOCAB.eov() : VOCAB.eof();
      } else {
        double[] c = lastRow(model, cond, condMask);
        double[] u = lastRow(model, free, freeMask);
        int best = 0;
        for (int v = 0; v < VisionFixtures.CODEBOOK; v++) { // codes only: never <eof>/<eov> inside a frame
          double g = u[v] + scale * (c[v] - u[v]);
          double gb = u[best] + scale * (c[best] - u[best]);
          if (g > gb) {
            best = v;
          }
        }
        token = best;
      }
      expected[i] = token;
      cond = append(cond, token);
      condMask = append(condMask);
      free = append(free, token);
      freeMask = append(freeMask);
    }
    assertArrayEquals(expected, r.tokens(), "KV-cached generation vs the full forward pass");
    for (int f = 0; f < frames; f++) {
      assertArrayEquals(Arrays.copyOfRange(expected, f * (CODES + 1), f * (CODES + 1) + CODES), r.codes()[f]);
    }
  }

  @Test
  void sampledGenerationDependsOnlyOnTheSeed() {
    LlamaModel model = VisionFixtures.model(VisionFixtures.config(VOCAB.size()), 4);
    CaptionFormat format = new CaptionFormat(new ByteTokenizer(), VOCAB);
    FrameGeneration g = new FrameGeneration(model, VOCAB, CODES);
    FrameGeneration.Settings s = new FrameGeneration.Settings(2, true, 3, new SamplingOptions(1, 1, 9), 8);
    int[] a = g.generate(format.generationPrompt("x"), format.unconditionalPrompt(), s).tokens();
    int[] b = g.generate(format.generationPrompt("x"), format.unconditionalPrompt(), s).tokens();
    int[] c = g.generate(format.generationPrompt("x"), format.unconditionalPrompt(),
        new FrameGeneration.Settings(2, true, 3, new SamplingOptions(1, 1, 10), 8)).tokens();
    assertArrayEquals(a, b);
    assertNotEquals(Arrays.toString(a), Arrays.toString(c));
  }

  @Test
  void guidanceAndTopK() {
    double[] cond = {1.0, -2.0, 0.5, 3.0};
    double[] uncond = {0.5, 1.0, 0.5, -1.0};
    assertArrayEquals(cond, FrameGeneration.guide(cond, uncond, 1.0), 0.0);
    double[] g = FrameGeneration.guide(cond, uncond, 4.0);
    for (int i = 0; i < cond.length; i++) {
      assertEquals(uncond[i] + 4.0 * (cond[i] - uncond[i]), g[i], 1e-12, "entry " + i);
    }
    double[] z = {0.1, 0.7, 0.7, -0.3, 0.2};
    FrameGeneration.keepTopK(z, 2);
    assertArrayEquals(new double[] {Double.NEGATIVE_INFINITY, 0.7, 0.7, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY}, z, 0.0);
    double[] ties = {0.1, 0.7, 0.7, -0.3, 0.2};
    FrameGeneration.keepTopK(ties, 1);
    assertEquals(2, Arrays.stream(ties).filter(Double::isFinite).count(), "ties with the k-th are kept");
    double[] all = {0.1, 0.2};
    FrameGeneration.keepTopK(all, 0);
    assertArrayEquals(new double[] {0.1, 0.2}, all, 0.0);
  }

  static double[] lastRow(LlamaModel model, int[] tokens, boolean[] vision) {
    INDArray logits = model.logits(tokens, vision, Modality.VISION); // [tokens, visionVocab]
    return logits.get(NDArrayIndex.point(tokens.length - 1), NDArrayIndex.all()).toDoubleVector();
  }

  static int[] append(int[] a, int x) {
    int[] out = Arrays.copyOf(a, a.length + 1);
    out[a.length] = x;
    return out;
  }

  static boolean[] append(boolean[] a) {
    boolean[] out = Arrays.copyOf(a, a.length + 1);
    out[a.length] = true;
    return out;
  }
}

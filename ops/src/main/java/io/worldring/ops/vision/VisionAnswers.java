package io.worldring.ops.vision;

import io.worldring.datasets.Tokenizer;
import io.worldring.datasets.vision.VisionExample;
import io.worldring.model.LlamaModel;
import io.worldring.model.Modality;
import io.worldring.model.generate.Generator;
import io.worldring.model.generate.Sampler;
import io.worldring.model.generate.SamplingOptions;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Greedy text answers after a prompt that holds vision spans (fed with its vision mask), through a KV cache. */
public final class VisionAnswers {
  /**
   * @param text the decoded answer, stripped
   * @param tokens [generated], EOS excluded
   * @param endedWithEos whether the model ended the answer (false: it ran into the token limit)
   */
  public record Answer(String text, int[] tokens, boolean endedWithEos) {}

  private VisionAnswers() {}

  /** Generates with the text head until EOS or {@code maxNewTokens} tokens. */
  public static Answer greedy(LlamaModel model, Tokenizer text, VisionExample prompt, int maxNewTokens) {
    Generator g = new Generator(model, prompt.length() + maxNewTokens);
    Sampler sampler = new Sampler(SamplingOptions.greedy());
    INDArray logits = g.feed(prompt.tokens(), prompt.vision(), Modality.TEXT);
    int[] out = new int[maxNewTokens];
    int n = 0;
    while (n < maxNewTokens) {
      int next = sampler.next(logits);
      if (next == text.eos()) {
        return new Answer(text.decode(Arrays.copyOf(out, n)).strip(), Arrays.copyOf(out, n), true);
      }
      out[n++] = next;
      if (n < maxNewTokens) {
        logits = g.feed(new int[] {next});
      }
    }
    return new Answer(text.decode(out).strip(), out, false);
  }
}

package io.worldring.ops.eval;

import io.worldring.datasets.Tokenizer;
import io.worldring.model.LlamaModel;
import io.worldring.model.generate.Generator;
import io.worldring.model.generate.SamplingOptions;

/** Greedy answers from a model on this JVM's device, through a KV cache; stops at EOS. */
public final class ModelAnswerer implements Answerer {
  private final LlamaModel model;
  private final Tokenizer tokenizer;
  private final int maxNewTokens;

  public ModelAnswerer(LlamaModel model, Tokenizer tokenizer, int maxNewTokens) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.maxNewTokens = maxNewTokens;
  }

  @Override
  public String answer(int[] prompt) {
    int eos = tokenizer.eos();
    int[] out = new Generator(model, prompt.length + maxNewTokens).generate(prompt, maxNewTokens, new SamplingOptions(0, 1, 0),
        t -> t == eos);
    if (out.length > 0 && out[out.length - 1] == eos) {
      out = java.util.Arrays.copyOf(out, out.length - 1);
    }
    return tokenizer.decode(out).strip();
  }
}

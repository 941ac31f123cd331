package io.worldring.model.generate;

import io.worldring.model.BadInputException;
import io.worldring.model.LlamaModel;
import io.worldring.model.Modality;
import io.worldring.model.ModelConfig;
import io.worldring.model.NativeMemory;
import io.worldring.model.attention.AttentionOutput;
import io.worldring.model.attention.BlockAttention;
import io.worldring.model.attention.BlockMask;
import io.worldring.model.attention.OnlineSoftmaxCarry;
import io.worldring.model.attention.TokenBlock;
import io.worldring.model.nn.RotaryEmbedding;
import io.worldring.model.nn.TransformerBlock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Autoregressive decoding with a KV cache: each new token attends to the cached keys and values of
 * every earlier position, through the same {@link BlockAttention} kernel as training. Prompts are
 * prefilled in chunks of the model's attention block size, so memory stays bounded.
 */
public final class Generator {
  private final LlamaModel model;
  private final List<KvCache> caches = new ArrayList<>();
  private int position;

  /** @param capacity the most tokens (prompt and generated) this generator will hold */
  public Generator(LlamaModel model, int capacity) {
    this.model = model;
    ModelConfig c = model.config();
    for (int l = 0; l < c.nLayers(); l++) {
      caches.add(new KvCache(c.nKvHeads(), capacity, c.headDim(), model.parameters().dataType()));
    }
  }

  public int position() {
    return position;
  }

  /** Feeds text tokens and returns the text logits after the last one, [vocab]. */
  public INDArray feed(int[] tokens) {
    return feed(tokens, null, Modality.TEXT);
  }

  /**
   * Feeds tokens and returns the logits of {@code next}'s head after the last one: [vocab] for text,
   * [visionVocab] for a vision code (LWM's image generation asks for {@link Modality#VISION} inside a
   * frame and forces {@code <eof>} at each frame's end).
   *
   * @param vision per token, whether it is a vision code (read through the vision embedding); null: all text
   */
  public INDArray feed(int[] tokens, boolean[] vision, Modality next) {
    if (tokens.length == 0) {
      throw new IllegalArgumentException("nothing to feed");
    }
    if (vision != null && vision.length != tokens.length) {
      throw new IllegalArgumentException("the vision mask has " + vision.length + " entries for " + tokens.length + " tokens");
    }
    if (next == Modality.VISION && !model.config().hasVision()) {
      throw new BadInputException("vision logits asked of a model without a vision vocabulary (vision-vocab-size 0)");
    }
    int chunk = model.options().attentionBlock();
    INDArray last = null;
    for (int s = 0; s < tokens.length; s += chunk) {
      int e = Math.min(tokens.length, s + chunk);
      last = forwardChunk(Arrays.copyOfRange(tokens, s, e), vision == null ? null : Arrays.copyOfRange(vision, s, e), next);
    }
    return last;
  }

  /**
   * Generates up to {@code maxNewTokens} after {@code prompt}, stopping after a token for which
   * {@code stop} is true (that token is included).
   */
  public int[] generate(int[] prompt, int maxNewTokens, SamplingOptions options, IntPredicate stop) {
    Sampler sampler = new Sampler(options);
    INDArray logits = feed(prompt);
    int[] out = new int[maxNewTokens];
    int n = 0;
    while (n < maxNewTokens) {
      int next = sampler.next(logits);
      out[n++] = next;
      if (stop.test(next) || n == maxNewTokens) {
        break;
      }
      logits = feed(new int[] {next});
    }
    return Arrays.copyOf(out, n);
  }

  private INDArray forwardChunk(int[] tokens, boolean[] vision, Modality next) {
    int n = tokens.length;
    TokenBlock queries = TokenBlock.contiguous(position, n);
    RotaryEmbedding.Tables angles = model.rope().tables(queries.positions(), model.parameters().dataType());
    INDArray x = model.embedding().forward(tokens, vision); // [n, dim]
    List<TransformerBlock> blocks = model.blocks();
    int heads = model.config().nHeads();
    for (int l = 0; l < blocks.size(); l++) {
      TransformerBlock block = blocks.get(l);
      TransformerBlock.BeforeAttention before = block.beforeAttention(x, angles);
      KvCache cache = caches.get(l);
      cache.append(before.qkv().k(), before.qkv().v());
      TokenBlock keys = TokenBlock.contiguous(0, cache.length());
      OnlineSoftmaxCarry carry = OnlineSoftmaxCarry.start(heads, n, model.config().headDim(), x.dataType());
      INDArray cachedKeys = cache.keys();
      INDArray cachedValues = cache.values();
      BlockMask mask = BlockMask.between(queries, keys, true, x.dataType());
      BlockAttention.forward(before.qkv().q(), cachedKeys, cachedValues, mask, carry, block.attention().scale());
      TransformerBlock.Activations a = block.afterAttention(before, new AttentionOutput(carry.output(), carry.logSumExp()));
      a.releaseExceptOutput();
      carry.release();
      NativeMemory.release(cachedKeys, cachedValues, mask.bias(), x);
      x = a.output();
    }
    position += n;
    INDArray lastRow = x.get(NDArrayIndex.interval(n - 1, n), NDArrayIndex.all()).dup('c'); // [1, dim]
    INDArray logits = model.head().logits(lastRow, next); // [1, vocab or visionVocab]
    NativeMemory.release(x, lastRow, angles.cos(), angles.sin());
    return logits.reshape(logits.length());
  }
}

package io.worldring.ops.eval;

import io.worldring.actors.Ring;
import io.worldring.datasets.Tokenizer;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.RingSchedule;
import io.worldring.ring.SequenceLayout;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy answers with the sequence split over a ring of device actors: each token's logits come from a
 * forward pass through ring attention over the prompt and the answer so far, so a prompt may be as long as
 * the ring can hold (memory per device grows with the block, not the sequence). There is no distributed KV
 * cache yet: each answer token costs one ring forward pass over the whole sequence.
 *
 * <p>The sequence is padded at its end to a length the layout splits evenly; under the causal mask the
 * padding cannot change any earlier position's logits.
 */
public final class RingAnswerer implements Answerer {
  private final Ring ring;
  private final Tokenizer tokenizer;
  private final int maxNewTokens;
  private final int unit;

  public RingAnswerer(Ring ring, SequenceLayout layout, Tokenizer tokenizer, int maxNewTokens) {
    this.ring = ring;
    this.tokenizer = tokenizer;
    this.maxNewTokens = maxNewTokens;
    this.unit = layout == SequenceLayout.ZIGZAG ? 2 * ring.devices() : ring.devices();
    new RingSchedule(ring.devices(), layout).checkLength(unit);
  }

  /** The logits after the last of {@code tokens}, [vocab]. */
  public float[] nextLogits(int[] tokens) {
    int length = (tokens.length + unit - 1) / unit * unit;
    int[] padded = Arrays.copyOf(tokens, length);
    Arrays.fill(padded, tokens.length, length, tokenizer.pad());
    int[] positions = new int[length];
    for (int i = 0; i < length; i++) {
      positions[i] = i;
    }
    TrainingSequence seq = new TrainingSequence(padded, new int[length], new float[length], positions, null);
    return ring.logits(List.of(seq), new int[] {tokens.length - 1})[0];
  }

  @Override
  public String answer(int[] prompt) {
    int[] seq = prompt.clone();
    int[] out = new int[maxNewTokens];
    int n = 0;
    while (n < maxNewTokens) {
      float[] logits = nextLogits(seq);
      int next = 0;
      for (int i = 1; i < logits.length; i++) {
        if (logits[i] > logits[next]) {
          next = i;
        }
      }
      if (next == tokenizer.eos()) {
        break;
      }
      out[n++] = next;
      seq = Arrays.copyOf(seq, seq.length + 1);
      seq[seq.length - 1] = next;
    }
    return tokenizer.decode(Arrays.copyOf(out, n)).strip();
  }
}

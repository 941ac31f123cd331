package io.worldring.datasets;

import io.worldring.model.BadInputException;
import io.worldring.model.SplitMix64;
import io.worldring.model.train.TrainingSequence;
import java.util.Arrays;

/**
 * Pretraining sequences cut from one token stream: non-overlapping windows of {@code seqLen + 1} tokens
 * (inputs and shifted targets), visited in an order shuffled per epoch from the seed. The position is
 * (epoch, index), so a resumed run sees exactly the sequences an uninterrupted run would.
 */
public final class TokenWindowSource {
  private final int[] tokens;
  private final int seqLen;
  private final long seed;
  private final int windows;
  private long epoch;
  private int index;
  private int[] order;

  /** Where a source stands: the next window is {@code order(epoch)[index]}. */
  public record Position(long epoch, int index) {}

  public TokenWindowSource(int[] tokens, int seqLen, long seed) {
    if (seqLen <= 0) {
      throw new BadInputException("sequence length must be positive, got " + seqLen);
    }
    this.windows = (tokens.length - 1) / seqLen;
    if (windows < 1) {
      throw new BadInputException("the corpus has " + tokens.length + " tokens, fewer than one sequence of " + (seqLen + 1));
    }
    this.tokens = tokens;
    this.seqLen = seqLen;
    this.seed = seed;
    restore(new Position(0, 0));
  }

  public int windowsPerEpoch() {
    return windows;
  }

  public Position position() {
    return new Position(epoch, index);
  }

  public void restore(Position p) {
    if (p.index() < 0 || p.index() >= windows || p.epoch() < 0) {
      throw new BadInputException("data position " + p + " is outside this corpus (" + windows + " windows per epoch)");
    }
    this.epoch = p.epoch();
    this.index = p.index();
    this.order = new SplitMix64(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1))).permutation(windows);
  }

  public TrainingSequence next() {
    int start = order[index] * seqLen;
    TrainingSequence seq = TrainingSequence.causal(Arrays.copyOfRange(tokens, start, start + seqLen + 1));
    index++;
    if (index == windows) {
      restore(new Position(epoch + 1, 0));
    }
    return seq;
  }
}

package io.worldring.ring;

import io.worldring.model.BadInputException;
import io.worldring.model.attention.TokenBlock;
import io.worldring.model.train.TrainingSequence;

/**
 * Who holds what in a ring of n devices. Pure arithmetic: no actors, no tensors.
 * <ul>
 *   <li>At hop s device i holds the key/value block of device {@code floorMod(i - s, n)}: blocks travel
 *       from device i to device i+1.
 *   <li>The sequence is divided by a {@link SequenceLayout}; positions (for RoPE and the causal mask),
 *       targets, weights, segments and vision masks follow the tokens.
 * </ul>
 */
public final class RingSchedule {
  private final int devices;
  private final SequenceLayout layout;

  public RingSchedule(int devices, SequenceLayout layout) {
    if (devices < 1) {
      throw new BadInputException("a ring needs at least one device, got " + devices);
    }
    this.devices = devices;
    this.layout = layout;
  }

  public int devices() {
    return devices;
  }

  public SequenceLayout layout() {
    return layout;
  }

  public int next(int device) {
    return Math.floorMod(device + 1, devices);
  }

  public int previous(int device) {
    return Math.floorMod(device - 1, devices);
  }

  /** The block device {@code device} holds at hop {@code hop}. */
  public int heldBlock(int device, int hop) {
    return Math.floorMod(device - hop, devices);
  }

  /** The sequence lengths this ring can split: a multiple of n (contiguous) or 2n (zigzag). */
  public void checkLength(int length) {
    int unit = layout == SequenceLayout.ZIGZAG ? 2 * devices : devices;
    if (length % unit != 0) {
      throw new BadInputException("sequence length " + length + " must be a multiple of " + unit + " for "
          + devices + " devices with the " + layout.key() + " layout");
    }
  }

  /** Indices into the sequence of the tokens device {@code device} holds, in the order it holds them. */
  public int[] tokenIndices(int device, int length) {
    checkLength(length);
    if (layout == SequenceLayout.CONTIGUOUS) {
      int block = length / devices;
      int[] idx = new int[block];
      for (int i = 0; i < block; i++) {
        idx[i] = device * block + i;
      }
      return idx;
    }
    int chunk = length / (2 * devices);
    int[] idx = new int[2 * chunk];
    int second = 2 * devices - 1 - device;
    for (int i = 0; i < chunk; i++) {
      idx[i] = device * chunk + i;
      idx[chunk + i] = second * chunk + i;
    }
    return idx;
  }

  /**
   * Device {@code device}'s part of a sequence: its tokens with their targets, weights, positions, segments
   * and vision masks (a mask the sequence does not have stays null).
   */
  public TrainingSequence shard(TrainingSequence seq, int device) {
    int[] idx = tokenIndices(device, seq.length());
    int[] tokens = new int[idx.length];
    int[] targets = new int[idx.length];
    float[] weights = new float[idx.length];
    int[] positions = new int[idx.length];
    int[] segments = seq.segments() == null ? null : new int[idx.length];
    boolean[] visionInputs = seq.visionInputs() == null ? null : new boolean[idx.length];
    boolean[] visionTargets = seq.visionTargets() == null ? null : new boolean[idx.length];
    for (int i = 0; i < idx.length; i++) {
      tokens[i] = seq.tokens()[idx[i]];
      targets[i] = seq.targets()[idx[i]];
      weights[i] = seq.weights()[idx[i]];
      positions[i] = seq.positions()[idx[i]];
      if (segments != null) {
        segments[i] = seq.segments()[idx[i]];
      }
      if (visionInputs != null) {
        visionInputs[i] = seq.visionInputs()[idx[i]];
      }
      if (visionTargets != null) {
        visionTargets[i] = seq.visionTargets()[idx[i]];
      }
    }
    return new TrainingSequence(tokens, targets, weights, positions, segments, visionInputs, visionTargets);
  }

  /** Positions and segments of every device's block, indexed by device. */
  public TokenBlock[] blocks(TrainingSequence seq) {
    TokenBlock[] out = new TokenBlock[devices];
    for (int d = 0; d < devices; d++) {
      out[d] = shard(seq, d).tokenBlock();
    }
    return out;
  }

  /**
   * Visible (query, key) pairs between device {@code query}'s tokens and device {@code key}'s under the
   * causal mask of a sequence without packing: the attention work of that block pair.
   */
  public long causalPairs(int query, int key, int length) {
    int[] q = tokenIndices(query, length);
    int[] k = tokenIndices(key, length);
    long pairs = 0;
    for (int qi : q) {
      for (int ki : k) {
        if (ki <= qi) {
          pairs++;
        }
      }
    }
    return pairs;
  }
}

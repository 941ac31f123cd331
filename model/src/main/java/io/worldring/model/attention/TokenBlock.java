package io.worldring.model.attention;

import java.util.Arrays;

/**
 * Where a block of tokens sits: absolute positions (for the causal mask and RoPE) and segment ids
 * (packed examples; a token attends only within its segment). In a ring or zigzag layout a block's
 * positions need not be contiguous, which is why they are explicit.
 *
 * @param positions absolute position of each token, [tokens]
 * @param segments segment id of each token, [tokens]; {@code null} means one segment
 */
public record TokenBlock(int[] positions, int[] segments) {
  public TokenBlock {
    if (segments != null && segments.length != positions.length) {
      throw new IllegalArgumentException("segments (" + segments.length + ") and positions (" + positions.length + ") differ in length");
    }
  }

  /** Positions {@code start .. start+length-1} in one segment. */
  public static TokenBlock contiguous(int start, int length) {
    int[] p = new int[length];
    for (int i = 0; i < length; i++) {
      p[i] = start + i;
    }
    return new TokenBlock(p, null);
  }

  public int size() {
    return positions.length;
  }

  public TokenBlock slice(int from, int to) {
    return new TokenBlock(Arrays.copyOfRange(positions, from, to), segments == null ? null : Arrays.copyOfRange(segments, from, to));
  }

  int minPosition() {
    int m = Integer.MAX_VALUE;
    for (int p : positions) {
      m = Math.min(m, p);
    }
    return m;
  }

  int maxPosition() {
    int m = Integer.MIN_VALUE;
    for (int p : positions) {
      m = Math.max(m, p);
    }
    return m;
  }

  /** The one segment id every token has, or {@code null} when they differ. */
  Integer singleSegment() {
    if (segments == null) {
      return 0;
    }
    int s = segments.length == 0 ? 0 : segments[0];
    for (int x : segments) {
      if (x != s) {
        return null;
      }
    }
    return s;
  }

  int segment(int i) {
    return segments == null ? 0 : segments[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenBlock t && Arrays.equals(positions, t.positions) && Arrays.equals(segments, t.segments);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(positions) + Arrays.hashCode(segments);
  }

  @Override
  public String toString() {
    return "TokenBlock[" + positions.length + " tokens]";
  }
}

package io.worldring.ring.wire;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Splitting serialized messages into {@link WireFragment}s and putting them back together. */
public final class Fragments {
  private Fragments() {}

  /** Equal slices of at most {@code maxFragmentBytes} (the last may be shorter). */
  public static List<WireFragment> split(byte[] message, int maxFragmentBytes, long transferId) {
    return split(message, message.length, maxFragmentBytes, transferId);
  }

  /** {@link #split(byte[], int, long)} of the message {@code bytes[0, length)}. */
  public static List<WireFragment> split(byte[] bytes, int length, int maxFragmentBytes, long transferId) {
    if (maxFragmentBytes <= 0) {
      throw new IllegalArgumentException("fragment size must be positive");
    }
    int count = Math.max(1, (length + maxFragmentBytes - 1) / maxFragmentBytes);
    int size = Math.max(1, (length + count - 1) / count); // equal slices, the receiver infers the size
    List<WireFragment> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int from = Math.min(length, i * size);
      int to = Math.min(length, from + size);
      out.add(new WireFragment(transferId, i, count, length, Arrays.copyOfRange(bytes, from, to)));
    }
    return out;
  }

  /**
   * Collects fragments per (sender, transfer). Bounded: a message larger than {@code maxMessageBytes},
   * or more than {@code maxOpenTransfers} incomplete messages, is refused, so a hostile or broken sender
   * cannot make the receiver hold unbounded memory. Duplicate fragments are ignored.
   */
  public static final class Reassembler {
    private final long maxMessageBytes;
    private final int maxOpenTransfers;
    private final Map<String, Partial> open = new HashMap<>();

    private static final class Partial {
      final byte[] bytes;
      final boolean[] seen;
      int received;

      Partial(int total, int count) {
        bytes = new byte[total];
        seen = new boolean[count];
      }
    }

    public Reassembler(long maxMessageBytes, int maxOpenTransfers) {
      this.maxMessageBytes = maxMessageBytes;
      this.maxOpenTransfers = maxOpenTransfers;
    }

    /**
     * Adds a fragment from {@code sender}; returns the whole message when this was its last missing
     * fragment, else null.
     *
     * @throws IllegalArgumentException for a fragment inconsistent with its transfer or over the limits
     */
    public byte[] add(String sender, WireFragment f) {
      // Every fragment but that of an empty message holds a byte at least, so there are no more fragments than bytes.
      if (f.count() <= 0 || f.index() < 0 || f.index() >= f.count() || f.totalBytes() < 0 || f.totalBytes() > maxMessageBytes
          || f.count() > Math.max(1, f.totalBytes()) || f.bytes() == null) {
        throw new IllegalArgumentException("fragment " + f.index() + "/" + f.count() + " of " + f.totalBytes()
            + " bytes is outside the limits (at most " + maxMessageBytes + " bytes, at most one fragment per byte, bytes present)");
      }
      long chunk = (f.totalBytes() + (long) f.count() - 1) / f.count();
      long expectedLength = f.index() < f.count() - 1 ? chunk : f.totalBytes() - chunk * (f.count() - 1);
      if (f.count() > 1 && f.bytes().length != expectedLength || f.count() == 1 && f.bytes().length != f.totalBytes()) {
        throw new IllegalArgumentException("fragment " + f.index() + "/" + f.count() + " has " + f.bytes().length
            + " bytes, expected " + (f.count() == 1 ? f.totalBytes() : expectedLength));
      }
      String key = sender + "#" + f.transferId();
      Partial p = open.get(key);
      if (p == null) {
        if (open.size() >= maxOpenTransfers) {
          throw new IllegalArgumentException("more than " + maxOpenTransfers + " incomplete messages at once");
        }
        p = new Partial(f.totalBytes(), f.count());
        open.put(key, p);
      } else if (p.bytes.length != f.totalBytes() || p.seen.length != f.count()) {
        throw new IllegalArgumentException("fragment " + f.index() + " disagrees with its transfer's size");
      }
      if (p.seen[f.index()]) {
        return null;
      }
      p.seen[f.index()] = true;
      System.arraycopy(f.bytes(), 0, p.bytes, (int) (f.index() * chunk), f.bytes().length);
      if (++p.received < f.count()) {
        return null;
      }
      open.remove(key);
      return p.bytes;
    }

    /** Drops every incomplete message (a new step or ring begins). */
    public void clear() {
      open.clear();
    }

    public int openTransfers() {
      return open.size();
    }
  }
}

package io.worldring.ring;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Puts one device's incoming ring messages into schedule order. A message whose turn it is comes back at
 * once; an early one is kept until its turn (a neighbour may run ahead by a layer, or into the next
 * step); a stale, duplicated or foreign one is dropped and counted. Bounded: the protocol never has more
 * than a few blocks in flight per link, so an overflow means a broken or hostile sender and the excess
 * is dropped.
 */
public final class RingInbox {
  private final RingCursor cursor;
  private final int capacity;
  private final List<RingMessage> early = new ArrayList<>();
  private long dropped;
  private long overflowed;

  public RingInbox(RingCursor cursor, int capacity) {
    this.cursor = cursor;
    this.capacity = capacity;
  }

  public RingCursor cursor() {
    return cursor;
  }

  /** Returns {@code m} if it is the expected message (process it, then {@code cursor().advance()}), else null. */
  public RingMessage offer(RingMessage m) {
    switch (cursor.classify(m)) {
      case CURRENT -> {
        return m;
      }
      case EARLY -> {
        if (early.size() >= capacity) {
          overflowed++;
        } else {
          early.add(m);
        }
        return null;
      }
      default -> {
        dropped++;
        return null;
      }
    }
  }

  /** A kept message whose turn has come, or null; drops kept messages that went stale. */
  public RingMessage takeCurrent() {
    for (Iterator<RingMessage> it = early.iterator(); it.hasNext(); ) {
      RingMessage m = it.next();
      RingCursor.Verdict v = cursor.classify(m);
      if (v == RingCursor.Verdict.STALE) {
        it.remove();
        dropped++;
      } else if (v == RingCursor.Verdict.CURRENT) {
        it.remove();
        return m;
      }
    }
    return null;
  }

  /** Stale, duplicated or foreign messages dropped so far. */
  public long dropped() {
    return dropped;
  }

  /** Early messages refused because the inbox was full. */
  public long overflowed() {
    return overflowed;
  }

  public int waiting() {
    return early.size();
  }
}

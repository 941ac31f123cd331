package io.worldring.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RingCursorTest {
  static KvBlock kv(String run, long step, int seq, int layer, int hop, int source) {
    return new KvBlock(run, step, seq, layer, hop, source, null, null);
  }

  @Test
  void ordersAStepsMessagesAndJudgesArrivals() {
    RingSchedule ring = new RingSchedule(3, SequenceLayout.CONTIGUOUS);
    RingCursor c = new RingCursor("run", 1, ring, 2);
    c.startRound(5, 1);
    List<RingCursor.Expected> order = new ArrayList<>();
    while (c.awaiting()) {
      order.add(c.current());
      c.advance();
    }
    // Forward: 2 layers x hops 1..2; backward: 2 layers x hops 1..3; reduce: 2 phases x hops 0..1.
    assertEquals(2 * 2 + 2 * 3 + 2 * 2, order.size());
    assertEquals(new RingCursor.Expected(KvBlock.class, 0, 0, 1, 0, order.get(0).ordinal()), order.get(0));
    assertEquals(2, order.get(1).sourceOrChunk(), "device 1 holds block 2 at hop 2");
    assertEquals(KvGradBlock.class, order.get(4).type());
    assertEquals(1, order.get(4).layer(), "backward starts at the top layer");
    assertEquals(1, order.get(6).sourceOrChunk(), "hop 3 returns device 1's own block");
    for (int i = 1; i < order.size(); i++) {
      assertFalse(order.get(i).ordinal() <= order.get(i - 1).ordinal(), "ordinals increase");
    }

    c.startRound(5, 1);
    assertEquals(RingCursor.Verdict.CURRENT, c.classify(kv("run", 5, 0, 0, 1, 0)));
    assertEquals(RingCursor.Verdict.EARLY, c.classify(kv("run", 5, 0, 0, 2, 2)));
    assertEquals(RingCursor.Verdict.EARLY, c.classify(kv("run", 6, 0, 0, 1, 0)), "next round");
    assertEquals(RingCursor.Verdict.STALE, c.classify(kv("run", 4, 0, 1, 2, 2)), "previous round");
    assertEquals(RingCursor.Verdict.STALE, c.classify(kv("other", 5, 0, 0, 1, 0)), "another run");
    assertEquals(RingCursor.Verdict.STALE, c.classify(kv("run", 5, 0, 0, 1, 2)), "wrong source for the turn");
    assertEquals(RingCursor.Verdict.STALE, c.classify(kv("run", 5, 0, 0, 3, 0)), "no hop 3 in forward");
    assertEquals(RingCursor.Verdict.STALE, c.classify(kv("run", 5, 4, 0, 1, 0)), "no such sequence");
    c.advance();
    assertEquals(RingCursor.Verdict.STALE, c.classify(kv("run", 5, 0, 0, 1, 0)), "a duplicate after its turn");
    assertEquals(RingCursor.Verdict.CURRENT, c.classify(kv("run", 5, 0, 0, 2, 2)));
  }

  @Test
  void oneDeviceExpectsNothing() {
    RingCursor c = new RingCursor("run", 0, new RingSchedule(1, SequenceLayout.ZIGZAG), 4);
    c.startRound(0, 3);
    assertFalse(c.awaiting());
  }
}

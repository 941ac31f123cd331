package io.worldring.actors.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RoundClockTest {
  static final long MS = 1_000_000;

  @Test
  void waitIsIdleTimeBetweenHopsAndTheReductionIsTimedApart() {
    RoundClock c = new RoundClock();
    c.start(0);
    c.hop(c.beginWork(0), 0, 30 * MS); // own block: 30 ms of compute, nothing waited
    c.hop(c.beginWork(40 * MS), 40 * MS, 60 * MS); // the next block came 10 ms later
    c.hop(c.beginWork(60 * MS), 60 * MS, 100 * MS); // already there: no wait, full overlap
    c.reductionStarted(100 * MS);
    assertEquals(0.005, c.beginWork(105 * MS), 1e-12); // a gradient chunk after 5 ms
    c.reductionWork(110 * MS);
    c.finished(120 * MS);
    assertEquals(3, c.hops());
    assertEquals(0.090, c.computeSeconds(), 1e-12);
    assertEquals(0.010, c.waitSeconds(), 1e-12);
    assertEquals(0.010, c.hopWaitSeconds(1), 1e-12);
    assertEquals(0.0, c.hopWaitSeconds(2));
    assertEquals(0.9, c.overlapRatio(), 1e-12);
    assertEquals(0.020, c.reductionSeconds(), 1e-12);
    assertEquals(0.120, c.roundSeconds(), 1e-12);
  }

  @Test
  void aRoundWithoutWaitingOverlapsFullyAndAStartResets() {
    RoundClock c = new RoundClock();
    c.start(0);
    c.hop(c.beginWork(0), 0, 5 * MS);
    c.finished(5 * MS);
    assertEquals(1.0, c.overlapRatio());
    assertEquals(0.0, c.reductionSeconds(), "one device: no all-reduce");
    c.start(100 * MS);
    assertEquals(0, c.hops());
    assertEquals(0.0, c.beginWork(200 * MS), "the first piece of a round waits for nothing");
    c.hop(0, 200 * MS, 210 * MS);
    for (int i = 1; i < 40; i++) { // more hops than the initial room for per-hop times
      c.hop(0.001, 0, MS);
    }
    assertEquals(40, c.hops());
    assertEquals(0.001, c.hopWaitSeconds(39), 1e-12);
    assertEquals(0.010, c.hopComputeSeconds(0), 1e-12);
  }
}

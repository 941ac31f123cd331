package io.worldring.actors.device;

import java.util.Arrays;

/**
 * Where one device's round goes: computing on a block, waiting for the next block to arrive, and the
 * gradient all-reduce. Wait is the idle time between finishing one piece of work and starting the next
 * while the round is open; a block that arrived while the device was still computing costs no wait, which
 * is exactly the overlap RingAttention relies on. A hop is the work one arriving key/value (or dK/dV)
 * block triggers, including the attention on the device's own block that follows it; the round's start is
 * one more. Times are passed in, so a test can drive the clock.
 */
final class RoundClock {
  private long started; // nanos at the round's start
  private long idleSince; // nanos the last piece of work ended; -1 while working or closed
  private long reductionStarted = -1;
  private long finished = -1;
  private double[] hopCompute = new double[16]; // seconds per attention hop
  private double[] hopWait = new double[16]; // seconds waited before each attention hop
  private int hops;
  private double computeSeconds;
  private double waitSeconds;

  void start(long now) {
    started = now;
    idleSince = -1;
    reductionStarted = -1;
    finished = -1;
    hops = 0;
    computeSeconds = 0;
    waitSeconds = 0;
  }

  /** Work begins now; returns the seconds waited for it (0 for the round's first piece). */
  double beginWork(long now) {
    double waited = idleSince < 0 ? 0 : (now - idleSince) / 1e9;
    idleSince = -1;
    return waited;
  }

  /** An attention hop (own block, or a block that arrived) ran from {@code begin} to {@code end}. */
  void hop(double waited, long begin, long end) {
    if (hops == hopCompute.length) {
      hopCompute = Arrays.copyOf(hopCompute, hops * 2);
      hopWait = Arrays.copyOf(hopWait, hops * 2);
    }
    double compute = (end - begin) / 1e9;
    hopCompute[hops] = compute;
    hopWait[hops] = waited;
    hops++;
    computeSeconds += compute;
    waitSeconds += waited;
    idleSince = end;
  }

  /** A gradient chunk was processed (its wait counts towards the reduction, not the hops). */
  void reductionWork(long end) {
    idleSince = end;
  }

  void reductionStarted(long now) {
    reductionStarted = now;
    idleSince = now;
  }

  void finished(long now) {
    finished = now;
    idleSince = -1;
    if (reductionStarted < 0) {
      reductionStarted = now;
    }
  }

  int hops() {
    return hops;
  }

  double hopComputeSeconds(int i) {
    return hopCompute[i];
  }

  double hopWaitSeconds(int i) {
    return hopWait[i];
  }

  double computeSeconds() {
    return computeSeconds;
  }

  double waitSeconds() {
    return waitSeconds;
  }

  /** compute ÷ (compute + wait) over the round's hops; 1 when nothing was waited for. */
  double overlapRatio() {
    double total = computeSeconds + waitSeconds;
    return total == 0 ? 1 : computeSeconds / total;
  }

  /** Wall time of the gradient all-reduce (0 on a single device). */
  double reductionSeconds() {
    return finished < 0 ? 0 : (finished - reductionStarted) / 1e9;
  }

  /** The round's wall time, from its start to a reduced gradient. */
  double roundSeconds() {
    return finished < 0 ? 0 : (finished - started) / 1e9;
  }
}

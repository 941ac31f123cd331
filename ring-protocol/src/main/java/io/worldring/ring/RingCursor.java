package io.worldring.ring;

import java.util.ArrayList;
import java.util.List;

/**
 * The order in which one device must receive a round's ring messages, and the verdict on any message
 * that arrives: the one expected next ({@code CURRENT}), one that belongs later ({@code EARLY}: keep it
 * until its turn), or one whose turn has passed or that belongs to another run ({@code STALE}: drop it).
 * A duplicate is stale once its original was processed; a message whose identity matches the turn but
 * whose content (source block, chunk) does not is stale too. Pure logic, no actors.
 *
 * <p>Per sequence of the step: forward, for each layer, hops 1..n-1 of {@link KvBlock}s; backward, for
 * each layer from the top, hops 1..n of {@link KvGradBlock}s (hop n is this device's own block
 * returning). Then the gradient all-reduce: reduce-scatter hops 0..n-2, all-gather hops 0..n-2.
 */
public final class RingCursor {
  public enum Verdict { CURRENT, EARLY, STALE }

  /** One expected message. */
  public record Expected(Class<? extends RingMessage> type, int sequence, int layer, int hop, int sourceOrChunk, long ordinal) {}

  private final String runId;
  private final int device;
  private final RingSchedule schedule;
  private final int layers;
  private long round = -1;
  private int sequences;
  private final List<Expected> order = new ArrayList<>();
  private int position;

  public RingCursor(String runId, int device, RingSchedule schedule, int layers) {
    this.runId = runId;
    this.device = device;
    this.schedule = schedule;
    this.layers = layers;
  }

  /** Begins a round (one attempt at a step) of {@code sequenceCount} sequences. */
  public void startRound(long newRound, int sequenceCount) {
    startRound(newRound, sequenceCount, false);
  }

  /** As {@link #startRound(long, int)}; {@code forwardOnly} (inference) expects the forward hops only. */
  public void startRound(long newRound, int sequenceCount, boolean forwardOnly) {
    this.round = newRound;
    this.sequences = sequenceCount;
    this.position = 0;
    order.clear();
    int n = schedule.devices();
    if (n == 1) {
      return;
    }
    for (int s = 0; s < sequenceCount; s++) {
      for (int l = 0; l < layers; l++) {
        for (int hop = 1; hop < n; hop++) {
          order.add(new Expected(KvBlock.class, s, l, hop, schedule.heldBlock(device, hop), kvOrdinal(s, l, hop)));
        }
      }
      for (int l = layers - 1; l >= 0 && !forwardOnly; l--) {
        for (int hop = 1; hop <= n; hop++) {
          order.add(new Expected(KvGradBlock.class, s, l, hop, schedule.heldBlock(device, hop), gradOrdinal(s, l, hop)));
        }
      }
    }
    for (int phase = 0; phase < 2 && !forwardOnly; phase++) {
      for (int hop = 0; hop < n - 1; hop++) {
        int chunk = phase == GradChunk.REDUCE_SCATTER ? Math.floorMod(device - 1 - hop, n) : Math.floorMod(device - hop, n);
        order.add(new Expected(GradChunk.class, -1, -1, hop, chunk, reduceOrdinal(phase, hop)));
      }
    }
  }

  public long round() {
    return round;
  }

  /** Whether a message is still to come in this step. */
  public boolean awaiting() {
    return position < order.size();
  }

  public Expected current() {
    return awaiting() ? order.get(position) : null;
  }

  /** Moves past the current message, after it was processed. */
  public void advance() {
    position++;
  }

  public Verdict classify(RingMessage m) {
    if (!runId.equals(m.runId()) || m.round() < round) {
      return Verdict.STALE;
    }
    if (m.round() > round) {
      return Verdict.EARLY;
    }
    long ordinal = ordinal(m);
    if (ordinal < 0) {
      return Verdict.STALE; // outside this step's schedule: malformed
    }
    Expected e = current();
    if (e == null || ordinal < e.ordinal()) {
      return Verdict.STALE;
    }
    if (ordinal > e.ordinal()) {
      return Verdict.EARLY;
    }
    return e.type() == m.getClass() && sourceOrChunk(m) == e.sourceOrChunk() ? Verdict.CURRENT : Verdict.STALE;
  }

  private long ordinal(RingMessage m) {
    int n = schedule.devices();
    if (m instanceof KvBlock b) {
      return valid(b.sequence(), b.layer(), b.hop(), 1, n - 1) ? kvOrdinal(b.sequence(), b.layer(), b.hop()) : -1;
    }
    if (m instanceof KvGradBlock b) {
      return valid(b.sequence(), b.layer(), b.hop(), 1, n) ? gradOrdinal(b.sequence(), b.layer(), b.hop()) : -1;
    }
    GradChunk c = (GradChunk) m;
    boolean ok = (c.phase() == 0 || c.phase() == 1) && c.hop() >= 0 && c.hop() <= n - 2;
    return ok ? reduceOrdinal(c.phase(), c.hop()) : -1;
  }

  private boolean valid(int sequence, int layer, int hop, int minHop, int maxHop) {
    return sequence >= 0 && sequence < sequences && layer >= 0 && layer < layers && hop >= minHop && hop <= maxHop;
  }

  private static int sourceOrChunk(RingMessage m) {
    if (m instanceof KvBlock b) {
      return b.source();
    }
    if (m instanceof KvGradBlock b) {
      return b.source();
    }
    return ((GradChunk) m).chunk();
  }

  private long perSequence() {
    return 2L * layers * (schedule.devices() + 1);
  }

  private long kvOrdinal(int sequence, int layer, int hop) {
    return sequence * perSequence() + (long) layer * (schedule.devices() + 1) + hop;
  }

  private long gradOrdinal(int sequence, int layer, int hop) {
    int n = schedule.devices();
    return sequence * perSequence() + (long) layers * (n + 1) + (long) (layers - 1 - layer) * (n + 1) + hop;
  }

  private long reduceOrdinal(int phase, int hop) {
    return sequences * perSequence() + (long) phase * schedule.devices() + hop;
  }
}

package io.worldring.ring;

/**
 * A message between ring neighbours. Every one names its run, its round, and its place in the round's
 * schedule, so a device recognises one that is stale, duplicated or early (see {@link RingCursor}). A
 * round is one attempt at a training step; the driver numbers rounds so that none repeats, even when a
 * step is run again.
 */
public sealed interface RingMessage extends WireMessage permits KvBlock, KvGradBlock, GradChunk {
  String runId();

  long round();
}

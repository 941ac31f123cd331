package io.worldring.ring;

/**
 * A message between ring neighbours. Every one names its run, step, and place in the step's schedule,
 * so a device recognises one that is stale, duplicated or early (see {@link RingCursor}).
 */
public sealed interface RingMessage extends WireMessage permits KvBlock, KvGradBlock, GradChunk {
  String runId();

  long step();
}

package io.worldring.ring;

/**
 * A chunk of the flattened parameter gradient in the ring all-reduce: {@code phase} 0 is reduce-scatter
 * (the receiver adds it to its own), 1 is all-gather (the receiver takes it), at hop 0..n-2.
 *
 * @param values [chunk elements]
 */
public record GradChunk(String runId, long round, int phase, int hop, int chunk, TensorPayload values) implements RingMessage {
  public static final int REDUCE_SCATTER = 0;
  public static final int ALL_GATHER = 1;
}

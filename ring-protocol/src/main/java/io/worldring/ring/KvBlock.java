package io.worldring.ring;

/**
 * Forward: the key/value block of device {@code source} for layer {@code layer} of the step's sequence
 * {@code sequence}, arriving at its hop-th device after the owner (hop 1..n-1).
 *
 * @param k [kvHeads, tokens, headDim]
 * @param v [kvHeads, tokens, headDim]
 */
public record KvBlock(String runId, long round, int sequence, int layer, int hop, int source, TensorPayload k, TensorPayload v)
    implements RingMessage {}

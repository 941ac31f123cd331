package io.worldring.ring;

/**
 * Backward: device {@code source}'s key/value block travelling with the dK/dV accumulated so far, at its
 * hop-th device after the owner. Hops 1..n-1 carry k and v; hop n returns dK and dV to their owner and
 * carries no k, v (null).
 *
 * @param k [kvHeads, tokens, headDim], or null on the return hop
 * @param v [kvHeads, tokens, headDim], or null on the return hop
 * @param dk [kvHeads, tokens, headDim]
 * @param dv [kvHeads, tokens, headDim]
 */
public record KvGradBlock(String runId, long round, int sequence, int layer, int hop, int source,
    TensorPayload k, TensorPayload v, TensorPayload dk, TensorPayload dv) implements RingMessage {}

package io.worldring.ring.wire;

import io.worldring.ring.WireMessage;

/**
 * A bounded slice of one serialized message too large for a transport frame. {@code transferId} is
 * unique per sender; the receiver reassembles {@code count} slices of {@code totalBytes} in all.
 */
public record WireFragment(long transferId, int index, int count, int totalBytes, byte[] bytes) implements WireMessage {}

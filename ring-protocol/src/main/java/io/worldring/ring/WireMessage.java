package io.worldring.ring;

/** Marker of every message that may cross a JVM boundary; bound to the Kryo serializer. */
public interface WireMessage {}

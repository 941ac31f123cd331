package io.worldring.datasets.qa;

/** A question about a chunk and its answer. */
public record QaPair(String question, String answer) {}

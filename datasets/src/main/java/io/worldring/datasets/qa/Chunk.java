package io.worldring.datasets.qa;

import java.util.Map;

/** A short piece of a book that one QA pair is written about. */
public record Chunk(String book, int index, String text, Map<String, String> metadata) {}

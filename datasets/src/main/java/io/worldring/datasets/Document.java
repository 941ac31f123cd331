package io.worldring.datasets;

import java.util.Map;

/**
 * A document (a book, an address) with where it came from.
 *
 * @param metadata fields besides the text (JSONL), e.g. year and president of an address
 * @param source file and line, for messages
 */
public record Document(String id, String text, Map<String, String> metadata, String source) {}

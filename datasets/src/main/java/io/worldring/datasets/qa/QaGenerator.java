package io.worldring.datasets.qa;

/**
 * Writes one question-answer pair about a chunk. Implementations: {@code extractive} (built from the
 * text itself), {@code openai:URL} (an OpenAI-compatible chat endpoint), {@code checkpoint:DIR} (this
 * project's own model, in process).
 */
public interface QaGenerator extends AutoCloseable {
  String name();

  /** How many chunks may be asked about at once. */
  int concurrency();

  QaPair generate(Chunk chunk);

  @Override
  default void close() {}
}

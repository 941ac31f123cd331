package io.worldring.datasets.qa;

import io.worldring.model.BadInputException;

/** A generator gave no usable question-answer pair for a chunk, after its retries. */
public final class GeneratorFailedException extends BadInputException {
  public GeneratorFailedException(String message) {
    super(message);
  }
}

package io.worldring.model;

/**
 * Input that a user supplied (a file, a flag, a config key) is wrong. The message names the input and,
 * where it can, the position in it, so the command line can print it as it is and exit non-zero.
 */
public class BadInputException extends RuntimeException {
  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}

package io.worldring.datasets;

import io.worldring.model.BadInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * What to do with a bad record (malformed JSON, a missing field, invalid UTF-8, an empty or huge
 * document): {@code FAIL} stops with the file and line; {@code SKIP} counts it, keeps the first few
 * reasons for the report, and goes on.
 */
public final class BadInputPolicy {
  public enum Mode { FAIL, SKIP }

  private static final int KEPT_REASONS = 20;

  private final Mode mode;
  private final List<String> reasons = new ArrayList<>();
  private long skipped;

  public BadInputPolicy(Mode mode) {
    this.mode = mode;
  }

  public static BadInputPolicy fail() {
    return new BadInputPolicy(Mode.FAIL);
  }

  public static BadInputPolicy skip() {
    return new BadInputPolicy(Mode.SKIP);
  }

  public static BadInputPolicy parse(String s) {
    return switch (s) {
      case "fail" -> fail();
      case "skip" -> skip();
      default -> throw new BadInputException("bad-input policy must be fail or skip, got '" + s + "'");
    };
  }

  /** A bad record at {@code where} ("file:line"): throws under FAIL, counts it under SKIP. */
  public void bad(String where, String reason) {
    if (mode == Mode.FAIL) {
      throw new BadInputException(where + ": " + reason);
    }
    skipped++;
    if (reasons.size() < KEPT_REASONS) {
      reasons.add(where + ": " + reason);
    }
  }

  public long skipped() {
    return skipped;
  }

  public List<String> reasons() {
    return List.copyOf(reasons);
  }

  /** One line for logs, then the kept reasons. */
  public String report() {
    if (skipped == 0) {
      return "no records skipped";
    }
    return skipped + " record(s) skipped:\n  " + String.join("\n  ", reasons) + (skipped > reasons.size() ? "\n  ..." : "");
  }
}

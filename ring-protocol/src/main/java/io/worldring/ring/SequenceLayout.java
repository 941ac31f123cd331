package io.worldring.ring;

import io.worldring.model.BadInputException;
import java.util.Locale;

/** How a sequence's tokens are divided among the devices of a ring. */
public enum SequenceLayout {
  /** Device r holds tokens [r L/n, (r+1) L/n). Under the causal mask device 0 has little to do, device n-1 the most. */
  CONTIGUOUS,
  /**
   * The sequence is cut into 2n chunks; device r holds chunks r and 2n-1-r, so every device does the same
   * causal work per hop (ring-flash-attention's zigzag).
   */
  ZIGZAG;

  public static SequenceLayout parse(String s) {
    try {
      return valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadInputException("unknown layout '" + s + "' (known: contiguous, zigzag)");
    }
  }

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}

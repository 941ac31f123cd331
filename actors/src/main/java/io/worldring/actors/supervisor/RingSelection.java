package io.worldring.actors.supervisor;

import io.worldring.model.BadInputException;
import io.worldring.ring.RingSchedule;
import io.worldring.ring.SequenceLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Which devices form the ring. The rule: the ring is the largest number of available devices, at most
 * {@code maxDevices}, over which the stage's sequence length splits evenly (contiguous: seq-len divisible
 * by n; zigzag: by 2n); devices are taken in a fixed order (node address, then name) so every supervisor
 * picks the same ring from the same cluster. Fewer than {@code minDevices} usable devices: no ring.
 */
public final class RingSelection {
  private RingSelection() {}

  /** The ring size for {@code available} devices, or 0 when it would be below {@code minDevices}. */
  public static int size(int available, int seqLen, SequenceLayout layout, int minDevices, int maxDevices) {
    int n = maxDevices > 0 ? Math.min(available, maxDevices) : available;
    for (; n >= minDevices && n >= 1; n--) {
      try {
        new RingSchedule(n, layout).checkLength(seqLen);
        return n;
      } catch (BadInputException e) {
        // try a smaller ring
      }
    }
    return 0;
  }

  /** The first {@code n} of {@code devices} in ring order ({@code key}: a device's node address and name). */
  public static <T> List<T> pick(List<T> devices, int n, Function<T, String> key) {
    List<T> sorted = new ArrayList<>(devices);
    sorted.sort(Comparator.comparing(key));
    return List.copyOf(sorted.subList(0, n));
  }
}

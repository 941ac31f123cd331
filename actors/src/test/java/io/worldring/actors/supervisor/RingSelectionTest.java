package io.worldring.actors.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.worldring.ring.SequenceLayout;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The ring-size rule: the largest ring over which the sequence splits evenly, within the limits. */
class RingSelectionTest {
  @Test
  void largestRingTheSequenceSplitsOver() {
    assertEquals(4, RingSelection.size(4, 256, SequenceLayout.ZIGZAG, 1, 0));
    assertEquals(3, RingSelection.size(4, 36, SequenceLayout.ZIGZAG, 1, 0), "zigzag needs 2n | 36: 8 does not divide 36, 6 does");
    assertEquals(4, RingSelection.size(4, 36, SequenceLayout.CONTIGUOUS, 1, 0));
    assertEquals(3, RingSelection.size(5, 48, SequenceLayout.ZIGZAG, 1, 3), "max-devices caps the ring");
    assertEquals(0, RingSelection.size(4, 36, SequenceLayout.ZIGZAG, 4, 0), "below min-devices: no ring");
    assertEquals(0, RingSelection.size(0, 64, SequenceLayout.ZIGZAG, 1, 0));
    assertEquals(1, RingSelection.size(3, 7, SequenceLayout.CONTIGUOUS, 1, 0), "a prime length only fits one device");
  }

  @Test
  void devicesInAFixedOrder() {
    List<String> devices = List.of("b/device-1", "a/device-0", "b/device-0", "a/device-1");
    assertEquals(List.of("a/device-0", "a/device-1", "b/device-0"), RingSelection.pick(devices, 3, Function.identity()));
  }
}

package io.worldring.actors;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.worldring.ring.SequenceLayout;
import org.junit.jupiter.api.Test;

/**
 * At a fixed number of devices, peak activation memory per device grows linearly with the sequence
 * length: doubling L doubles it (within 10%), far from the 4x full attention's scores would take.
 * The measure includes the attention tiles' temporaries, the only arrays quadratic in anything.
 */
class MemoryScalingTest {
  static long peak(int length) {
    try (Ring ring = LocalRing.start(2, SequenceLayout.ZIGZAG, RingFixtures.spec(4), ConfigFactory.empty())) {
      return ring.step(0, RingFixtures.batch(1, length, false, 3), 0, false, false).peakActivationBytes();
    }
  }

  @Test
  void peakActivationMemoryIsLinearInSequenceLength() {
    long small = peak(256);
    long large = peak(512);
    double ratio = (double) large / small;
    assertTrue(ratio >= 1.8 && ratio <= 2.2, "L=256: " + small + " bytes, L=512: " + large + " bytes, ratio " + ratio);
  }
}

package io.worldring.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.worldring.actors.device.DeviceActor;
import io.worldring.actors.device.RingDevice;
import io.worldring.actors.driver.StepOutcome;
import io.worldring.model.SplitMix64;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.KvBlock;
import io.worldring.ring.RingMessage;
import io.worldring.ring.SequenceLayout;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Duplicated, delayed, stale and foreign ring messages, injected between devices, change nothing: the
 * loss trajectory equals a clean ring's exactly, and the devices report what they dropped.
 */
class ChaosRingTest {
  static final int STEPS = 4;

  /** Delays some messages, sends some twice, re-sends an old round's message, and sends a foreign one. */
  static DeviceActor.LinkFactory chaos(long seed) {
    return (context, link, index) -> new RingDevice.Outbox() {
      private final SplitMix64 rng = new SplitMix64(seed + index);
      private RingMessage previousRound;
      private long round = -1;

      @Override
      public void sendNext(RingMessage m) {
        if (m.round() != round) {
          if (previousRound != null) {
            link.sendNext(previousRound); // stale: a message of a finished round
          }
          link.sendNext(new KvBlock("intruder", m.round(), 0, 0, 1, 0, null, null)); // foreign run
          round = m.round();
        }
        previousRound = m;
        int roll = rng.nextInt(6);
        if (roll == 0) {
          link.sendNext(m);
          link.sendNext(m); // duplicate
        } else if (roll == 1) {
          context.getSystem().scheduler().scheduleOnce(Duration.ofMillis(5 + rng.nextInt(40)), () -> link.sendNext(m),
              context.getSystem().executionContext()); // delayed: later messages overtake it
        } else {
          link.sendNext(m);
        }
      }
    };
  }

  static double[] losses(Ring ring, long[] dropped) {
    double[] out = new double[STEPS];
    for (int step = 0; step < STEPS; step++) {
      List<TrainingSequence> batch = RingFixtures.batch(2, 48, true, 500 + step);
      StepOutcome o = ring.step(step, batch, 3e-3, true, false);
      out[step] = o.loss();
      dropped[0] = o.droppedMessages();
    }
    return out;
  }

  @Test
  void injectedMessagesDoNotChangeTheResult() {
    long[] cleanDropped = new long[1];
    long[] chaosDropped = new long[1];
    double[] clean;
    double[] messy;
    try (Ring ring = LocalRing.start(4, SequenceLayout.ZIGZAG, RingFixtures.spec(9), ConfigFactory.empty())) {
      clean = losses(ring, cleanDropped);
    }
    try (Ring ring = LocalRing.start(4, SequenceLayout.ZIGZAG, RingFixtures.spec(9), ConfigFactory.empty(), chaos(77))) {
      messy = losses(ring, chaosDropped);
    }
    assertArrayEquals(clean, messy, 0.0, "the same losses, bit for bit");
    assertTrue(cleanDropped[0] == 0, "a clean ring drops nothing: " + cleanDropped[0]);
    assertTrue(chaosDropped[0] >= 4 * STEPS, "every injected stale or foreign message was dropped: " + chaosDropped[0]);
  }
}

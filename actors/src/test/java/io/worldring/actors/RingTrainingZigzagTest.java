package io.worldring.actors;

import io.worldring.ring.SequenceLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link RingTrainingTest}'s check for the zigzag layout (a class of its own, so it runs beside the contiguous one). */
class RingTrainingZigzagTest {
  @ParameterizedTest(name = "n={0} zigzag")
  @ValueSource(ints = {1, 2, 3, 4, 8})
  void ringTrainsLikeOneDevice(int n, @TempDir Path dir) {
    RingTrainingTest.check(n, SequenceLayout.ZIGZAG, dir);
  }
}

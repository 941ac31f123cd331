package io.worldring.datasets.stage;

import io.worldring.datasets.source.SequenceStream;
import io.worldring.model.train.TrainingSequence;
import java.util.Arrays;

/** A fingerprint of a stage's first sequences and its state after them, to pin a stream down across changes. */
final class TextStagesDigest {
  private TextStagesDigest() {}

  static long of(DataMix mix, int seqLen, long seed, int sequences) {
    SequenceStream s = StageData.open(mix, seqLen, seed);
    long h = 17;
    for (int i = 0; i < sequences; i++) {
      TrainingSequence t = s.next();
      h = h * 31 + Arrays.hashCode(t.tokens());
      h = h * 31 + Arrays.hashCode(t.targets());
      h = h * 31 + Arrays.hashCode(t.weights());
      h = h * 31 + Arrays.hashCode(t.positions());
      h = h * 31 + Arrays.hashCode(t.segments());
    }
    return h * 31 + s.state().toString().hashCode();
  }
}

package io.worldring.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.worldring.model.BadInputException;
import io.worldring.model.train.TrainingSequence;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenWindowSourceTest {
  static int[] ramp(int n) {
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = i;
    }
    return t;
  }

  @Test
  void everyWindowOncePerEpochWithShiftedTargets() {
    TokenWindowSource s = new TokenWindowSource(ramp(101), 10, 7);
    assertEquals(10, s.windowsPerEpoch());
    Set<Integer> starts = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      TrainingSequence seq = s.next();
      starts.add(seq.tokens()[0]);
      assertEquals(seq.tokens()[1], seq.targets()[0]);
      assertEquals(seq.tokens()[0] + 10, seq.targets()[9]);
    }
    assertEquals(10, starts.size(), "each window exactly once in an epoch");
    assertEquals(new TokenWindowSource.Position(1, 0), s.position());
  }

  @Test
  void restoringAPositionReplaysTheSameSequences() {
    TokenWindowSource a = new TokenWindowSource(ramp(1001), 16, 3);
    for (int i = 0; i < 70; i++) {
      a.next(); // into the second epoch
    }
    TokenWindowSource.Position p = a.position();
    List<int[]> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add(a.next().tokens());
    }
    TokenWindowSource b = new TokenWindowSource(ramp(1001), 16, 3);
    b.restore(p);
    for (int[] e : expected) {
      assertArrayEquals(e, b.next().tokens());
    }
  }

  static List<Integer> firstStarts(TokenWindowSource s, int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(s.next().tokens()[0]);
    }
    return out;
  }

  @Test
  void ordersDifferBySeedAndByEpoch() {
    assertNotEquals(firstStarts(new TokenWindowSource(ramp(1001), 16, 3), 8), firstStarts(new TokenWindowSource(ramp(1001), 16, 4), 8));
    TokenWindowSource s = new TokenWindowSource(ramp(1001), 16, 3);
    List<Integer> epoch0 = firstStarts(s, s.windowsPerEpoch());
    List<Integer> epoch1 = firstStarts(s, s.windowsPerEpoch());
    assertNotEquals(epoch0, epoch1);
    assertEquals(new HashSet<>(epoch0), new HashSet<>(epoch1));
  }

  @Test
  void tooShortACorpusIsRejected() {
    BadInputException e = assertThrows(BadInputException.class, () -> new TokenWindowSource(ramp(5), 10, 1));
    assertEquals("the corpus has 5 tokens, fewer than one sequence of 11", e.getMessage());
  }

  @Test
  void byteTokenizerRoundTripsUtf8() {
    ByteTokenizer t = new ByteTokenizer();
    String text = "Call me Ishmael — naïve";
    int[] ids = t.encode(text);
    assertEquals(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, ids.length);
    assertEquals(text, t.decode(ids));
    assertEquals("ab", t.decode(new int[] {'a', ByteTokenizer.EOS, 'b'}));
  }

  @Test
  void bundledCorpusIsPresent() {
    String text = SampleCorpus.text(SampleCorpus.MOBY_DICK);
    assertEquals("CHAPTER 1. Loomings.", text.lines().findFirst().orElseThrow());
  }
}

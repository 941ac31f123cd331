package io.worldring.ops.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.SplitMix64;
import io.worldring.ops.eval.ChanceStatistics.Interval;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Wilson intervals against Newcombe's published values, and the exact p-value against naive references:
 * the binomial sum of C(n,k) p^k (1-p)^(n-k), and for mixed chance levels the enumeration of all 2^n outcomes.
 */
class ChanceStatisticsTest {
  @Test
  void wilsonMatchesNewcombesTable() {
    // Newcombe (1998), Statistics in Medicine 17:857, Table I, method 3 (score interval without continuity correction).
    assertInterval(ChanceStatistics.wilson95(81, 263), 0.2553, 0.3662);
    assertInterval(ChanceStatistics.wilson95(15, 148), 0.0624, 0.1605);
    assertInterval(ChanceStatistics.wilson95(0, 20), 0.0, 0.1611);
    assertInterval(ChanceStatistics.wilson95(1, 29), 0.0061, 0.1718);
    Interval all = ChanceStatistics.wilson95(10, 10);
    assertEquals(1.0, all.high(), 1e-12);
    assertEquals(10 / (10 + ChanceStatistics.Z95 * ChanceStatistics.Z95), all.low(), 1e-12, "n / (n + z^2) at n of n");
    assertThrows(IllegalArgumentException.class, () -> ChanceStatistics.wilson95(0, 0));
    assertThrows(IllegalArgumentException.class, () -> ChanceStatistics.wilson95(5, 4));
  }

  private static void assertInterval(Interval i, double low, double high) {
    assertEquals(low, i.low(), 5e-5, "low of " + i);
    assertEquals(high, i.high(), 5e-5, "high of " + i);
  }

  @Test
  void equalChancesGiveTheBinomialTail() {
    double worst = 0;
    String where = "";
    for (int n : new int[] {1, 7, 40, 200}) {
      for (double p : new double[] {1.0 / 7, 0.2, 0.25, 0.5}) {
        double[] chances = new double[n];
        Arrays.fill(chances, p);
        for (int k = 0; k <= n + 1; k++) {
          double expected = binomialTail(n, p, k);
          double got = ChanceStatistics.pValueAbove(chances, k);
          double relative = expected == 0 ? Math.abs(got) : Math.abs(got - expected) / expected;
          if (relative > worst) {
            worst = relative;
            where = "n=" + n + " p=" + p + " k=" + k + ": " + got + " vs " + expected;
          }
        }
      }
    }
    assertTrue(worst < 1e-9, "largest relative difference " + worst + " at " + where);
  }

  @Test
  void mixedChancesGiveThePoissonBinomialTail() {
    SplitMix64 rng = new SplitMix64(3);
    double[] levels = {1.0 / 7, 1.0 / 6, 1.0 / 5, 1.0 / 4, 1.0 / 2};
    double[] chances = new double[12];
    for (int i = 0; i < chances.length; i++) {
      chances[i] = levels[rng.nextInt(levels.length)];
    }
    double[] exact = new double[chances.length + 1]; // P(X = k), by enumerating every outcome
    for (int mask = 0; mask < 1 << chances.length; mask++) {
      double prob = 1;
      for (int i = 0; i < chances.length; i++) {
        prob *= (mask >> i & 1) == 1 ? chances[i] : 1 - chances[i];
      }
      exact[Integer.bitCount(mask)] += prob;
    }
    for (int k = 0; k <= chances.length; k++) {
      double tail = 0;
      for (int j = k; j <= chances.length; j++) {
        tail += exact[j];
      }
      assertEquals(tail, ChanceStatistics.pValueAbove(chances, k), 1e-12 * Math.max(tail, 1e-300), "k=" + k);
    }
    assertEquals(1.0, ChanceStatistics.pValueAbove(chances, 0));
    assertEquals(0.0, ChanceStatistics.pValueAbove(chances, chances.length + 1));
    assertEquals(Arrays.stream(chances).reduce(1, (a, b) -> a * b), ChanceStatistics.pValueAbove(chances, chances.length), 1e-24);
  }

  /** sum_{j >= k} C(n,j) p^j (1-p)^(n-j), through logarithms of the binomial coefficients. */
  private static double binomialTail(int n, double p, int k) {
    double sum = 0;
    for (int j = Math.max(k, 0); j <= n; j++) {
      sum += Math.exp(logChoose(n, j) + j * Math.log(p) + (n - j) * Math.log1p(-p));
    }
    return Math.min(1, sum);
  }

  private static double logChoose(int n, int k) {
    double s = 0;
    for (int i = 1; i <= k; i++) {
      s += Math.log(n - k + i) - Math.log(i);
    }
    return s;
  }
}

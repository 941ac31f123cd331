package io.worldring.ops.eval;

/**
 * The statistics of a closed-set evaluation set against guessing: a Wilson score interval for an accuracy,
 * and the exact one-sided p-value of getting at least so many answers right by guessing uniformly among
 * each question's candidates.
 *
 * <p>A uniform guesser answers question i correctly with probability {@code chance[i]} = 1 / candidates,
 * independently of the other questions, so its number of correct answers has the Poisson-binomial
 * distribution of those probabilities (the binomial when they are all equal, as within one question type).
 * Its upper tail is computed exactly, by dynamic programming over the questions (O(n^2)), with no normal
 * approximation.
 */
public final class ChanceStatistics {
  /** z of a two-sided 95% interval: the 0.975 quantile of the standard normal. */
  public static final double Z95 = 1.959963984540054;

  private ChanceStatistics() {}

  /** A closed interval of proportions. */
  public record Interval(double low, double high) {
    public boolean contains(double p) {
      return p >= low && p <= high;
    }
  }

  /**
   * The Wilson score interval (Wilson 1927; Newcombe 1998, method 3) of {@code correct} of {@code n}:
   * {@code (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)}. Unlike the Wald interval it stays
   * inside [0, 1] and is not empty at 0 or n correct.
   */
  public static Interval wilson(int correct, int n, double z) {
    if (n < 1 || correct < 0 || correct > n) {
      throw new IllegalArgumentException("need 0 <= correct <= n and n >= 1, got " + correct + " of " + n);
    }
    double p = (double) correct / n;
    double z2 = z * z;
    double denominator = 1 + z2 / n;
    double centre = (p + z2 / (2.0 * n)) / denominator;
    double half = z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denominator;
    // At 0 or n correct the bound is exactly 0 or 1; the formula gets it only up to rounding.
    return new Interval(correct == 0 ? 0 : Math.max(0, centre - half), correct == n ? 1 : Math.min(1, centre + half));
  }

  /** The 95% Wilson interval. */
  public static Interval wilson95(int correct, int n) {
    return wilson(correct, n, Z95);
  }

  /**
   * P(X >= correct), X the number right of a guesser who gets question i right with probability
   * {@code chances[i]}: the one-sided p-value of beating chance. Exact up to double rounding; a tail below
   * about 1e-308 reads 0.
   */
  public static double pValueAbove(double[] chances, int correct) {
    int n = chances.length;
    if (correct <= 0) {
      return 1;
    }
    if (correct > n) {
      return 0;
    }
    double[] dist = new double[n + 1]; // dist[k] = P(k right among the questions so far)
    dist[0] = 1;
    for (int i = 0; i < n; i++) {
      double p = chances[i];
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException("chance " + p + " of question " + i + " is not a probability");
      }
      for (int k = i + 1; k >= 1; k--) {
        dist[k] = dist[k] * (1 - p) + dist[k - 1] * p;
      }
      dist[0] *= 1 - p;
    }
    double tail = 0;
    for (int k = n; k >= correct; k--) { // smallest terms first
      tail += dist[k];
    }
    return Math.min(1, tail);
  }
}

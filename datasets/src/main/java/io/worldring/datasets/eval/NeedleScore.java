package io.worldring.datasets.eval;

import io.worldring.datasets.Needles;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scoring as LWM scores: a needle is found when its exact number appears in the answer (as a whole
 * number, not inside a longer one); a prompt's score is the fraction of the asked needles found.
 */
public final class NeedleScore {
  private static final Pattern DIGITS = Pattern.compile("\\d+");

  private NeedleScore() {}

  public static boolean found(String answer, String number) {
    Matcher m = DIGITS.matcher(answer);
    while (m.find()) {
      if (m.group().equals(number)) {
        return true;
      }
    }
    return false;
  }

  public static double score(String answer, List<Needles.Needle> needles, int[] asked) {
    int hits = 0;
    for (int a : asked) {
      hits += found(answer, needles.get(a).number()) ? 1 : 0;
    }
    return (double) hits / asked.length;
  }
}

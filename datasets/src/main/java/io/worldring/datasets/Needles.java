package io.worldring.datasets;

import io.worldring.model.SplitMix64;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Needle-in-a-haystack text as LWM evaluates it: needles {@code The special magic {city} number is:
 * {7-digit number}.} inserted into a haystack at given depths (moved back to the previous sentence end),
 * and the question {@code What is the special magic {city} number?}. Cities and numbers are drawn per
 * call and distinct within it. Shared by training examples and the evaluation.
 */
public final class Needles {
  public static final List<String> CITIES = List.of("Chicago", "Yangon", "Antananarivo", "Colombo", "Almaty", "Sydney",
      "Lisbon", "Nairobi", "Reykjavik", "Lima", "Tbilisi", "Hanoi", "Montevideo", "Oslo", "Dakar", "Quito", "Kraków",
      "Windhoek", "Ulaanbaatar", "Valparaíso", "Marrakesh", "Tallinn", "Kyoto", "Cusco", "Bergen", "Tucson", "Perth",
      "Zanzibar", "Halifax", "Bilbao", "Tromsø", "Asmara");

  /** One needle: its city, number, and the sentence as inserted. */
  public record Needle(String city, String number, String sentence) {}

  /** A haystack with needles and the character offset where each went. */
  public record Placed(String text, List<Needle> needles, List<Integer> offsets) {}

  private Needles() {}

  /** {@code count} needles with distinct cities and distinct 7-digit numbers. */
  public static List<Needle> draw(SplitMix64 rng, int count) {
    if (count > CITIES.size()) {
      throw new IllegalArgumentException("at most " + CITIES.size() + " needles");
    }
    int[] perm = rng.permutation(CITIES.size());
    Set<String> numbers = new HashSet<>();
    List<Needle> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String number;
      do {
        number = Integer.toString(1_000_000 + rng.nextInt(9_000_000));
      } while (!numbers.add(number));
      String city = CITIES.get(perm[i]);
      out.add(new Needle(city, number, "The special magic " + city + " number is: " + number + "."));
    }
    return out;
  }

  public static String question(Needle n) {
    return "What is the special magic " + n.city() + " number?";
  }

  /**
   * Inserts {@code needles[i]} at {@code depths[i]} percent of {@code haystack}, each moved back to the
   * end of the sentence before it (or the start).
   */
  public static Placed insert(String haystack, List<Needle> needles, double[] depths) {
    List<int[]> at = new ArrayList<>(); // [offset, needle index]
    for (int i = 0; i < needles.size(); i++) {
      int offset = (int) Math.round(haystack.length() * Math.max(0, Math.min(100, depths[i])) / 100.0);
      at.add(new int[] {sentenceStart(haystack, offset), i});
    }
    at.sort((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]));
    StringBuilder b = new StringBuilder(haystack.length() + 64 * needles.size());
    int last = 0;
    Integer[] offsets = new Integer[needles.size()];
    for (int[] a : at) {
      b.append(haystack, last, a[0]);
      offsets[a[1]] = b.length();
      b.append(needles.get(a[1]).sentence()).append(' ');
      last = a[0];
    }
    b.append(haystack, last, haystack.length());
    return new Placed(b.toString(), needles, List.of(offsets));
  }

  /** The start of the sentence containing {@code offset}: just after the previous '.', '!' or '?' and spaces. */
  static int sentenceStart(String text, int offset) {
    int i = Math.min(offset, text.length());
    while (i > 0) {
      char c = text.charAt(i - 1);
      if ((c == '.' || c == '!' || c == '?') && (i == text.length() || Character.isWhitespace(text.charAt(i)))) {
        break;
      }
      i--;
    }
    while (i < text.length() && i < offset && Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    return i;
  }
}

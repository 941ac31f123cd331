package io.worldring.ops.eval;

import io.worldring.model.BadInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * The grid a needle evaluation covers.
 *
 * @param contexts context lengths in tokens of the model's tokenizer
 * @param depths needle depths, percent
 * @param rounds prompts per cell (needles and numbers drawn anew each round)
 * @param needles needles per prompt
 * @param retrieve needles asked for per prompt (at most {@code needles})
 * @param seed draws needles, numbers and extra depths
 */
public record NeedleGrid(List<Integer> contexts, List<Double> depths, int rounds, int needles, int retrieve, long seed) {
  public NeedleGrid {
    if (contexts.isEmpty() || depths.isEmpty()) {
      throw new BadInputException("--contexts and --depths must name at least one value each");
    }
    if (rounds < 1 || needles < 1 || retrieve < 1 || retrieve > needles) {
      throw new BadInputException("--rounds and --needles must be >= 1, and 1 <= --retrieve <= --needles");
    }
    for (double d : depths) {
      if (d < 0 || d > 100) {
        throw new BadInputException("depth " + d + " is outside 0..100");
      }
    }
    contexts = List.copyOf(contexts);
    depths = List.copyOf(depths);
  }

  /** "1024,2048" or "from:to:count" (evenly spaced, rounded). */
  public static List<Double> parse(String spec, String flag) {
    List<Double> out = new ArrayList<>();
    try {
      if (spec.contains(":")) {
        String[] p = spec.split(":");
        if (p.length != 3) {
          throw new NumberFormatException();
        }
        double from = Double.parseDouble(p[0]);
        double to = Double.parseDouble(p[1]);
        int count = Integer.parseInt(p[2]);
        if (count < 1 || to < from) {
          throw new NumberFormatException();
        }
        for (int i = 0; i < count; i++) {
          out.add(count == 1 ? from : from + (to - from) * i / (count - 1));
        }
      } else {
        for (String v : spec.split(",")) {
          out.add(Double.parseDouble(v.strip()));
        }
      }
    } catch (NumberFormatException e) {
      throw new BadInputException(flag + " '" + spec + "': give a list (1024,2048) or from:to:count (1024:8192:4)");
    }
    return out;
  }

  public static List<Integer> parseContexts(String spec) {
    List<Integer> out = new ArrayList<>();
    for (double d : parse(spec, "--contexts")) {
      long r = Math.round(d);
      if (r < 16 || r > Integer.MAX_VALUE) {
        throw new BadInputException("--contexts: " + d + " is not a usable context length");
      }
      if (!out.contains((int) r)) {
        out.add((int) r);
      }
    }
    return out;
  }
}

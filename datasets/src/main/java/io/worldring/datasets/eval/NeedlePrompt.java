package io.worldring.datasets.eval;

import io.worldring.datasets.ChatTemplate;
import io.worldring.datasets.Needles;
import io.worldring.datasets.Tokenizer;
import io.worldring.model.BadInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * One needle-in-a-haystack prompt as LWM builds it: the haystack trimmed (at a word boundary) so that the
 * whole prompt fits the context length, the needles inserted at their depths (each moved back to the start
 * of its sentence), and the question in the chat template:
 * {@code <s>You are a helpful assistant. USER: {haystack with needles}\n\n{question} ASSISTANT:}.
 * The prompt's length in tokens is within {@link #tolerance} below the context and never above it.
 *
 * @param tokens the prompt, [tokens]
 * @param needles every needle in the haystack
 * @param asked indices into {@code needles} of those the question asks for
 * @param depths where each needle ended up, percent of the haystack
 * @param haystackChars characters of haystack used
 */
public record NeedlePrompt(int[] tokens, List<Needles.Needle> needles, int[] asked, double[] depths, int haystackChars) {

  /** How far below the context a prompt may fall: 1% of it, at least 16 tokens. */
  public static int tolerance(int context) {
    return Math.max(16, context / 100);
  }

  /** The question for {@code asked} needles (one: LWM's; several: one sentence naming each city). */
  public static String question(List<Needles.Needle> needles, int[] asked) {
    if (asked.length == 1) {
      return Needles.question(needles.get(asked[0]));
    }
    StringBuilder b = new StringBuilder("What are the special magic numbers for ");
    for (int i = 0; i < asked.length; i++) {
      b.append(i == 0 ? "" : i == asked.length - 1 ? " and " : ", ").append(needles.get(asked[i]).city());
    }
    return b.append("?").toString();
  }

  /** The prompt text around a haystack (what the chat template makes of a document and a question). */
  public static String text(String haystack, String question) {
    return ChatTemplate.SYSTEM + " USER: " + haystack + "\n\n" + question + " ASSISTANT:";
  }

  /**
   * Builds the prompt for {@code context} tokens from the start of {@code haystack}.
   *
   * @param depths percent depth of each needle, in [0, 100]
   * @throws BadInputException when the haystack is too short to fill the context
   */
  public static NeedlePrompt build(String haystack, Tokenizer tokenizer, int context, List<Needles.Needle> needles, double[] depths,
      int[] asked) {
    String question = question(needles, asked);
    int overhead = encode(tokenizer, "", needles, depths, question).length;
    if (overhead >= context) {
      throw new BadInputException("context " + context + " is too short for the needles and the question (" + overhead + " tokens)");
    }
    double charsPerToken = charsPerToken(tokenizer, haystack);
    int tolerance = tolerance(context);
    int chars = (int) Math.min(haystack.length(), (context - overhead) * charsPerToken);
    int[] best = null;
    int bestChars = 0;
    for (int attempt = 0; attempt < 30; attempt++) {
      String cut = cutAtWord(haystack, chars);
      int[] tokens = encode(tokenizer, cut, needles, depths, question);
      if (tokens.length <= context) {
        if (best == null || tokens.length > best.length) {
          best = tokens;
          bestChars = cut.length();
        }
        if (context - tokens.length < tolerance) {
          break;
        }
        if (cut.length() >= haystack.length()) {
          throw new BadInputException("the haystack (" + haystack.length() + " characters, " + tokens.length + " prompt tokens) is"
              + " shorter than the requested context of " + context + " tokens");
        }
        chars = (int) Math.min(haystack.length(), cut.length() + Math.max(1, (context - tokens.length) * charsPerToken * 0.9));
      } else {
        chars = (int) Math.max(0, cut.length() - Math.max(1, (tokens.length - context) * charsPerToken * 1.1));
      }
    }
    if (best == null || context - best.length >= tolerance) {
      throw new BadInputException("could not fit the haystack to " + context + " tokens (best " + (best == null ? 0 : best.length) + ")");
    }
    String used = cutAtWord(haystack, bestChars);
    Needles.Placed placed = Needles.insert(used, needles, depths);
    double[] actual = new double[needles.size()];
    for (int i = 0; i < actual.length; i++) {
      actual[i] = used.isEmpty() ? 0 : 100.0 * placed.offsets().get(i) / placed.text().length();
    }
    return new NeedlePrompt(best, needles, asked.clone(), actual, used.length());
  }

  private static int[] encode(Tokenizer tokenizer, String haystack, List<Needles.Needle> needles, double[] depths, String question) {
    String body = Needles.insert(haystack, needles, depths).text();
    int[] ids = tokenizer.encode(text(body, question));
    int[] out = new int[ids.length + 1];
    out[0] = tokenizer.bos();
    System.arraycopy(ids, 0, out, 1, ids.length);
    return out;
  }

  private static double charsPerToken(Tokenizer tokenizer, String haystack) {
    String sample = haystack.substring(0, Math.min(haystack.length(), 20_000));
    int n = tokenizer.encode(sample).length;
    return n == 0 ? 1 : (double) sample.length() / n;
  }

  /** The longest prefix of at most {@code chars} characters that ends at a word boundary. */
  static String cutAtWord(String text, int chars) {
    if (chars >= text.length()) {
      return text;
    }
    int i = Math.max(0, chars);
    while (i > 0 && !Character.isWhitespace(text.charAt(i))) {
      i--;
    }
    return text.substring(0, i).stripTrailing();
  }

  /** Asked-needle indices for a multi-needle round: the first {@code retrieve} of {@code n}, as drawn. */
  public static int[] firstAsked(int retrieve) {
    int[] a = new int[retrieve];
    for (int i = 0; i < retrieve; i++) {
      a[i] = i;
    }
    return a;
  }

  /** Evenly spread depths for extra needles, distinct from {@code depth}, for multi-needle rounds. */
  public static double[] depths(double depth, int needles, io.worldring.model.SplitMix64 rng) {
    List<Double> out = new ArrayList<>();
    out.add(depth);
    while (out.size() < needles) {
      double d = Math.round(rng.nextDouble() * 1000) / 10.0;
      if (out.stream().noneMatch(x -> Math.abs(x - d) < 100.0 / (4 * needles))) {
        out.add(d);
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }
}

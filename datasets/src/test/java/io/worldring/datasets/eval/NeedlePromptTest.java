package io.worldring.datasets.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.datasets.BadInputPolicy;
import io.worldring.datasets.ByteTokenizer;
import io.worldring.datasets.DocumentReader;
import io.worldring.datasets.HfTokenizer;
import io.worldring.datasets.Needles;
import io.worldring.datasets.SampleCorpus;
import io.worldring.datasets.Tokenizer;
import io.worldring.model.BadInputException;
import io.worldring.model.SplitMix64;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Needle prompts: depth, word boundaries, length; and scoring. */
class NeedlePromptTest {
  static final String HAYSTACK = SampleCorpus.text(SampleCorpus.MOBY_DICK);

  static void checkPrompt(Tokenizer tok, int context, double depth) {
    List<Needles.Needle> needles = Needles.draw(new SplitMix64(context + (long) depth), 1);
    NeedlePrompt p = NeedlePrompt.build(HAYSTACK, tok, context, needles, new double[] {depth}, new int[] {0});
    assertTrue(p.tokens().length <= context, "never above the context: " + p.tokens().length + " > " + context);
    assertTrue(context - p.tokens().length < NeedlePrompt.tolerance(context), "close to the context: " + p.tokens().length + " of " + context);
    String text = tok.decode(java.util.Arrays.copyOfRange(p.tokens(), 1, p.tokens().length));
    String used = HAYSTACK.substring(0, p.haystackChars());
    assertTrue(HAYSTACK.length() == used.length() || Character.isWhitespace(HAYSTACK.charAt(used.length()))
        || !Character.isLetterOrDigit(used.charAt(used.length() - 1)), "the haystack is cut between words: ..."
        + used.substring(Math.max(0, used.length() - 20)) + "|" + HAYSTACK.substring(used.length(), used.length() + 10));
    String needle = needles.get(0).sentence();
    int at = text.indexOf(needle);
    assertTrue(at >= 0, "the needle is in the prompt");
    assertTrue(text.endsWith(Needles.question(needles.get(0)) + " ASSISTANT:"), text.substring(text.length() - 80));
    // Within one sentence of the requested depth: the needle starts a sentence, and no sentence end lies
    // between the requested offset and the needle.
    String body = used;
    int requested = (int) Math.round(body.length() * depth / 100.0);
    int haystackStart = text.indexOf(" USER: ") + 7;
    int needleInHaystack = at - haystackStart;
    assertTrue(needleInHaystack <= requested, "moved back, not forward: " + needleInHaystack + " vs " + requested);
    String between = body.substring(needleInHaystack, Math.min(body.length(), requested));
    assertFalse(between.matches("(?s).*[.!?]\\s.*"), "no sentence end between the needle and the requested depth: " + between);
    assertTrue(p.depths()[0] <= depth + 0.5, "reported depth " + p.depths()[0] + " at or before " + depth);
    assertTrue(needleInHaystack == 0 || text.substring(haystackStart, at).matches("(?s).*[.!?]\\s*$"),
        "the needle starts a sentence");
  }

  @Test
  void bytePromptsAtEveryDepth() {
    for (double depth : new double[] {0, 10, 25, 50, 75, 90, 100}) {
      checkPrompt(new ByteTokenizer(), 2000, depth);
    }
    checkPrompt(new ByteTokenizer(), 300, 50);
  }

  @Test
  void llamaTokenizerPrompts() throws Exception {
    Path json = Path.of(NeedlePromptTest.class.getResource("/tokenizer/tokenizer.json").toURI());
    try (HfTokenizer t = HfTokenizer.load(json)) {
      for (double depth : new double[] {0, 33, 66, 100}) {
        checkPrompt(t, 1500, depth);
      }
    }
  }

  @Test
  void multiNeedlePromptsAskSome() {
    SplitMix64 rng = new SplitMix64(4);
    List<Needles.Needle> needles = Needles.draw(rng, 4);
    double[] depths = NeedlePrompt.depths(30, 4, rng);
    NeedlePrompt p = NeedlePrompt.build(HAYSTACK, new ByteTokenizer(), 3000, needles, depths, NeedlePrompt.firstAsked(2));
    String text = new ByteTokenizer().decode(p.tokens());
    needles.forEach(n -> assertTrue(text.contains(n.sentence()), n.sentence()));
    assertTrue(text.contains("What are the special magic numbers for " + needles.get(0).city() + " and " + needles.get(1).city() + "?"));
    assertEquals(1.0, NeedleScore.score("They are " + needles.get(0).number() + " and " + needles.get(1).number(), needles, p.asked()));
    assertEquals(0.5, NeedleScore.score("It is " + needles.get(1).number() + ".", needles, p.asked()));
    assertEquals(0.0, NeedleScore.score("It is " + needles.get(2).number() + ".", needles, p.asked()), "an unasked needle scores nothing");
  }

  @Test
  void exactNumbersOnly() {
    assertTrue(NeedleScore.found("The special magic Lima number is: 1234567.", "1234567"));
    assertFalse(NeedleScore.found("12345678", "1234567"), "inside a longer number is not a hit");
    assertFalse(NeedleScore.found("123456", "1234567"));
    assertFalse(NeedleScore.found("", "1234567"));
  }

  @Test
  void shortHaystacksAreRefused() {
    String shortText = new DocumentReader(BadInputPolicy.fail()).bundled().get(1).text().substring(0, 500);
    BadInputException e = assertThrows(BadInputException.class, () -> NeedlePrompt.build(shortText, new ByteTokenizer(), 4000,
        Needles.draw(new SplitMix64(1), 1), new double[] {50}, new int[] {0}));
    assertTrue(e.getMessage().contains("shorter than the requested context of 4000"), e.getMessage());
  }
}

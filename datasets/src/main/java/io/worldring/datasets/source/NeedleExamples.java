package io.worldring.datasets.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldring.datasets.ChatTemplate;
import io.worldring.datasets.Document;
import io.worldring.datasets.Example;
import io.worldring.datasets.Needles;
import io.worldring.model.BadInputException;
import io.worldring.model.SplitMix64;
import java.util.List;

/**
 * Synthetic retrieval examples in the evaluation's format: a stretch of a book with needles at random
 * depths, then one needle's question; the loss is on the answer (the number). State: the generator's.
 */
public final class NeedleExamples implements ExampleSource {
  private final List<Document> haystacks;
  private final ChatTemplate template;
  private final int haystackChars;
  private final int needles;
  private final SplitMix64 rng;
  private long made;

  /**
   * @param haystackChars characters of book text per example (about 4 per token for English with a
   *     LLaMA tokenizer, 1 per token with bytes)
   */
  public NeedleExamples(List<Document> haystacks, ChatTemplate template, int haystackChars, int needles, long seed) {
    if (haystacks.isEmpty() || needles < 1) {
      throw new BadInputException("needle examples need a book and at least one needle");
    }
    this.haystacks = List.copyOf(haystacks);
    this.template = template;
    this.haystackChars = haystackChars;
    this.needles = needles;
    this.rng = new SplitMix64(seed);
  }

  @Override
  public Example next() {
    Document d = haystacks.get(rng.nextInt(haystacks.size()));
    int len = Math.min(haystackChars, d.text().length());
    int start = d.text().length() == len ? 0 : rng.nextInt(d.text().length() - len);
    String haystack = d.text().substring(start, start + len);
    List<Needles.Needle> drawn = Needles.draw(rng, needles);
    double[] depths = new double[needles];
    for (int i = 0; i < needles; i++) {
      depths[i] = rng.nextDouble() * 100;
    }
    Needles.Placed placed = Needles.insert(haystack, drawn, depths);
    Needles.Needle asked = drawn.get(rng.nextInt(needles));
    made++;
    return template.format("needle:" + made, List.of(Needles.question(asked), asked.number()), placed.text());
  }

  @Override
  public JsonNode state() {
    return States.object().put("rng", rng.state()).put("made", made);
  }

  @Override
  public void restore(JsonNode state) {
    rng.restore(States.getLong(state, "rng", "needles"));
    made = States.getLong(state, "made", "needles");
  }
}

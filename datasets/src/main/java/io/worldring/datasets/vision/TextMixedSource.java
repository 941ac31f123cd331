package io.worldring.datasets.vision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.datasets.source.ExampleSource;
import io.worldring.model.BadInputException;

/**
 * Vision examples with pure-text examples mixed in, as LWM keeps text ability in its first two vision stages
 * (16% text). Whether example k is text is drawn from k alone, so the mix does not depend on the sources'
 * lengths. State: examples made and both sources' states.
 */
public final class TextMixedSource implements VisionExampleSource {
  /** LWM's share of pure text in its 1K and 8K vision stages. */
  public static final double LWM_TEXT_FRACTION = 0.16;

  private final VisionExampleSource vision;
  private final ExampleSource text;
  private final double textFraction;
  private final long seed;
  private long made;
  private long textMade;

  public TextMixedSource(VisionExampleSource vision, ExampleSource text, double textFraction, long seed) {
    if (!(textFraction >= 0 && textFraction <= 1)) {
      throw new BadInputException("pure-text fraction must be in [0, 1], got " + textFraction);
    }
    this.vision = vision;
    this.text = text;
    this.textFraction = textFraction;
    this.seed = seed;
  }

  @Override
  public VisionExample next() {
    boolean isText = IndexedDraw.unit(seed, made) < textFraction;
    made++;
    if (isText) {
      textMade++;
      return VisionExample.ofText(text.next());
    }
    return vision.next();
  }

  /** Pure-text examples so far in this source's life (restored with the state). */
  public long textExamples() {
    return textMade;
  }

  public long examples() {
    return made;
  }

  @Override
  public JsonNode state() {
    ObjectNode s = SourceStates.object().put("made", made).put("textMade", textMade);
    s.set("vision", vision.state());
    s.set("text", text.state());
    return s;
  }

  @Override
  public void restore(JsonNode state) {
    made = SourceStates.getLong(state, "made", "text mix");
    textMade = SourceStates.getLong(state, "textMade", "text mix");
    vision.restore(SourceStates.get(state, "vision", "text mix"));
    text.restore(SourceStates.get(state, "text", "text mix"));
  }
}

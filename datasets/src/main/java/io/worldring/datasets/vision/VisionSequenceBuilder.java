package io.worldring.datasets.vision;

import io.worldring.datasets.Tokenizer;
import java.util.Arrays;

/**
 * Appends the parts of a vision-language example in order, LWM's way: text pieces encoded one by one with
 * the text tokenizer (no special tokens), and each vision span as {@code <vision>} (plain text, no extra
 * BOS), every frame's codes followed by {@code <eof>}, or {@code <eov>} after the last frame, then
 * {@code </vision>}. A part's loss flag covers all its tokens, delimiters included, as LWM's field masks do.
 */
public final class VisionSequenceBuilder {
  public static final String VISION_START = "<vision>";
  public static final String VISION_END = "</vision>";

  private final Tokenizer text;
  private final VisionVocabulary vocabulary;
  private int[] tokens = new int[64]; // [capacity], the first length in use
  private boolean[] vision = new boolean[64]; // [capacity]
  private boolean[] loss = new boolean[64]; // [capacity]
  private int length;

  public VisionSequenceBuilder(Tokenizer text, VisionVocabulary vocabulary) {
    this.text = text;
    this.vocabulary = vocabulary;
  }

  /** BOS, never a target. */
  public VisionSequenceBuilder bos() {
    return add(text.bos(), false, false);
  }

  /** EOS; examples end with it and, as in the text examples, predicting it carries a loss. */
  public VisionSequenceBuilder eos(boolean withLoss) {
    return add(text.eos(), false, withLoss);
  }

  public VisionSequenceBuilder text(String s, boolean withLoss) {
    for (int id : text.encode(s)) {
      add(id, false, withLoss);
    }
    return this;
  }

  /**
   * {@code prefix + answer} encoded as one text (so tokens are what the tokenizer makes of the whole), with
   * a loss on the tokens that overlap the answer, as {@link io.worldring.datasets.ChatTemplate} marks answers.
   */
  public VisionSequenceBuilder textWithAnswer(String prefix, String answer) {
    Tokenizer.Encoded enc = text.encodeWithSpans(prefix + answer);
    int from = prefix.length();
    for (int i = 0; i < enc.ids().length; i++) {
      add(enc.ids()[i], false, enc.start()[i] >= 0 && enc.end()[i] > from);
    }
    return this;
  }

  /** {@code <vision>}, the frames with their end tokens, {@code </vision>}. */
  public VisionSequenceBuilder vision(FrameCodes frames, boolean withLoss) {
    text(VISION_START, withLoss);
    int n = frames.frames();
    for (int f = 0; f < n; f++) {
      for (int code : frames.codes()[f]) {
        if (code < 0 || code >= vocabulary.codebookSize()) {
          throw new IllegalArgumentException("vision code " + code + " in frame " + f + " is outside the codebook of "
              + vocabulary.codebookSize());
        }
        add(code, true, withLoss);
      }
      add(f == n - 1 ? vocabulary.eov() : vocabulary.eof(), true, withLoss);
    }
    return text(VISION_END, withLoss);
  }

  public int length() {
    return length;
  }

  public VisionExample build(String id) {
    return new VisionExample(id, Arrays.copyOf(tokens, length), Arrays.copyOf(vision, length), Arrays.copyOf(loss, length));
  }

  private VisionSequenceBuilder add(int id, boolean isVision, boolean withLoss) {
    if (length == tokens.length) {
      int n = tokens.length * 2;
      tokens = Arrays.copyOf(tokens, n);
      vision = Arrays.copyOf(vision, n);
      loss = Arrays.copyOf(loss, n);
    }
    tokens[length] = id;
    vision[length] = isVision;
    loss[length] = withLoss;
    length++;
    return this;
  }
}

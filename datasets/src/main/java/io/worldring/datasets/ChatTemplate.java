package io.worldring.datasets;

import java.util.ArrayList;
import java.util.List;

/**
 * LWM's chat format: {@code You are a helpful assistant. USER: {question} ASSISTANT: {answer}}, turns
 * repeated for multi-turn dialogues, an optional document before the first question (long-context QA),
 * and EOS at the end. The whole text is tokenized at once (so tokens are what the tokenizer makes of the
 * real text), and a token carries a loss when it lies within an answer; the final EOS does too.
 */
public final class ChatTemplate {
  public static final String SYSTEM = "You are a helpful assistant.";

  private final Tokenizer tokenizer;

  public ChatTemplate(Tokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /**
   * @param turns user, assistant, user, assistant, ... (an even number, at least two)
   * @param document text placed before the first question, or null
   */
  public Example format(String id, List<String> turns, String document) {
    if (turns.size() < 2 || turns.size() % 2 != 0) {
      throw new IllegalArgumentException("a dialogue needs user/assistant pairs, got " + turns.size() + " turns");
    }
    StringBuilder text = new StringBuilder(SYSTEM);
    List<int[]> answers = new ArrayList<>();
    for (int t = 0; t < turns.size(); t += 2) {
      text.append(" USER: ");
      if (t == 0 && document != null) {
        text.append(document).append("\n\n");
      }
      text.append(turns.get(t).strip()).append(" ASSISTANT:");
      int start = text.length();
      text.append(' ').append(turns.get(t + 1).strip());
      answers.add(new int[] {start, text.length()});
    }
    Tokenizer.Encoded enc = tokenizer.encodeWithSpans(text.toString());
    int n = enc.ids().length;
    int[] tokens = new int[n + 2];
    boolean[] loss = new boolean[n + 2];
    tokens[0] = tokenizer.bos();
    for (int i = 0; i < n; i++) {
      tokens[i + 1] = enc.ids()[i];
      for (int[] a : answers) {
        if (enc.start()[i] < a[1] && enc.end()[i] > a[0] && enc.start()[i] >= 0) {
          loss[i + 1] = true;
          break;
        }
      }
    }
    tokens[n + 1] = tokenizer.eos();
    loss[n + 1] = true;
    return new Example(id, tokens, loss);
  }

  /** Plain text as an example: BOS, the text, EOS, loss on every token. */
  public Example text(String id, String body) {
    int[] ids = tokenizer.encode(body);
    int[] tokens = new int[ids.length + 2];
    boolean[] loss = new boolean[ids.length + 2];
    tokens[0] = tokenizer.bos();
    System.arraycopy(ids, 0, tokens, 1, ids.length);
    tokens[ids.length + 1] = tokenizer.eos();
    java.util.Arrays.fill(loss, 1, loss.length, true);
    return new Example(id, tokens, loss);
  }
}

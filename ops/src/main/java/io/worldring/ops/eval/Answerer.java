package io.worldring.ops.eval;

/** What is evaluated: answers a prompt (token ids, starting with BOS) with text, greedily. */
public interface Answerer {
  String answer(int[] prompt);
}

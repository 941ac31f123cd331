package io.worldring.ops;

import io.worldring.model.BadInputException;

/** Parses "1 100 200 300" (spaces or commas) into token ids. */
final class TokenList {
  private TokenList() {}

  static int[] parse(String text, int vocabSize, String flag) {
    String[] parts = text.trim().split("[\\s,]+");
    if (text.isBlank()) {
      throw new BadInputException(flag + ": no token ids given");
    }
    int[] ids = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        ids[i] = Integer.parseInt(parts[i]);
      } catch (NumberFormatException e) {
        throw new BadInputException(flag + ": '" + parts[i] + "' (item " + (i + 1) + ") is not a token id");
      }
      if (ids[i] < 0 || ids[i] >= vocabSize) {
        throw new BadInputException(flag + ": token id " + ids[i] + " (item " + (i + 1) + ") is outside the vocabulary of " + vocabSize);
      }
    }
    return ids;
  }
}

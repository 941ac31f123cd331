package io.worldring.datasets.stage;

import io.worldring.datasets.BadInputPolicy;
import io.worldring.datasets.source.LossWeighting;
import io.worldring.model.BadInputException;

/**
 * What one curriculum stage trains on, as a config section ({@code data { ... }}, read with
 * {@code HoconRecords}: component {@code booksWeight} is key {@code books-weight}). A stage is a weighted
 * mixture of up to five parts: pretraining windows of books, packed UltraChat, packed long-context QA,
 * packed needle retrieval and, in {@code data.vision}, packed vision-language examples (LWM stage II). A part
 * whose weight is 0 is not built at all, so a pretraining stage needs no chat or QA files and pays nothing
 * for them. {@link StageData#open} turns it into a stream.
 *
 * @param tokenizer {@code bytes} (the built-in byte-level tokenizer) or the path of a tokenizer.json
 * @param books {@code ""} = the bundled sample corpus (Moby-Dick and the State of the Union addresses);
 *     else a directory of {@code .txt}/{@code .jsonl} files or one such file. The books part, in-process QA
 *     and the needles' haystacks all come from these books.
 * @param minDocTokens books shorter than this many tokens are left out of this stage (LWM trains each
 *     context stage on books at least that long, so a sequence holds one long document, not many short
 *     ones); {@code -1} = the stage's sequence length, {@code 0} = no filter. Applies to the books part,
 *     in-process QA and the needles' haystacks; a QA file is used whole (filter when generating it).
 * @param booksWeight mixture weight of pretraining windows of books (every token has a loss)
 * @param chats UltraChat JSONL ({@code {"id", "data": [user, assistant, ...]}}); {@code ""} = the bundled
 *     sample. Packed to the sequence length on its own, apart from QA, as LWM does: chat is dense in
 *     loss tokens and QA sparse, so packing them together would let chat dominate.
 * @param chatWeight mixture weight of packed UltraChat (LWM: 7 of 10)
 * @param qa a QA JSONL written by {@code worldring qa generate}; {@code ""} = generated in process with
 *     the {@code extractive} generator from this stage's books
 * @param qaChunkTokens chunk size for in-process QA generation (one question per chunk; LWM used ~1000);
 *     consecutive chunks of a book are joined up to the sequence length. At least 8.
 * @param qaWeight mixture weight of packed long-context QA (LWM: 3 of 10)
 * @param needleWeight mixture weight of synthetic needle retrieval: a stretch of a book about a sequence
 *     long with one "special magic number" sentence inside, then its question; loss on the answer
 * @param weighting how loss tokens of packed parts (chat, QA, needles) are weighted: {@code per-example}
 *     (each example counts the same, LWM's masked packing) or {@code per-token}; HOCON also accepts
 *     {@code per_example}/{@code per_token} and any letter case. Books windows always weigh every token 1.
 * @param badInput {@code fail} stops at the first malformed record with its file and line; {@code skip}
 *     leaves such records out (see {@link StageData#open(DataMix, int, long, BadInputPolicy)} for the report)
 * @param vision the vision-language part ({@link VisionMix}); {@link VisionMix#NONE} = none. Its weight
 *     ({@link VisionMix#weight()}) is mixed with the weights above, so a vision stage normally sets
 *     {@code books-weight = 0} and gets its pure text through {@code vision.text-fraction}, as LWM does.
 */
public record DataMix(String tokenizer, String books, int minDocTokens, double booksWeight, String chats, double chatWeight,
    String qa, int qaChunkTokens, double qaWeight, double needleWeight, LossWeighting weighting, String badInput,
    VisionMix vision) {

  public DataMix {
    if (tokenizer == null || tokenizer.isBlank()) {
      throw new BadInputException("data.tokenizer must be bytes or a tokenizer.json path");
    }
    required(books, "books", "the bundled corpus");
    required(chats, "chats", "the bundled UltraChat sample");
    required(qa, "qa", "generated in process");
    if (minDocTokens < -1) {
      throw new BadInputException("data.min-doc-tokens must be -1 (the sequence length), 0 (no filter) or a token count, got " + minDocTokens);
    }
    if (qaChunkTokens < 8) {
      throw new BadInputException("data.qa-chunk-tokens must be >= 8, got " + qaChunkTokens);
    }
    weight(booksWeight, "books-weight");
    weight(chatWeight, "chat-weight");
    weight(qaWeight, "qa-weight");
    weight(needleWeight, "needle-weight");
    if (vision == null) {
      throw new BadInputException("data.vision must be set (all its weights 0 = no vision)");
    }
    if (!(booksWeight + chatWeight + qaWeight + needleWeight + vision.weight() > 0)) {
      throw new BadInputException("data: books-weight, chat-weight, qa-weight, needle-weight and the vision weights are all 0;"
          + " at least one must be > 0");
    }
    if (weighting == null) {
      throw new BadInputException("data.weighting must be per-example or per-token");
    }
    if (!"fail".equals(badInput) && !"skip".equals(badInput)) {
      throw new BadInputException("data.bad-input must be fail or skip, got '" + badInput + "'");
    }
  }

  /** A text stage: the twelve text keys, no vision part. */
  public DataMix(String tokenizer, String books, int minDocTokens, double booksWeight, String chats, double chatWeight,
      String qa, int qaChunkTokens, double qaWeight, double needleWeight, LossWeighting weighting, String badInput) {
    this(tokenizer, books, minDocTokens, booksWeight, chats, chatWeight, qa, qaChunkTokens, qaWeight, needleWeight, weighting, badInput,
        VisionMix.NONE);
  }

  /** The same mix with this vision part. */
  public DataMix withVision(VisionMix newVision) {
    return new DataMix(tokenizer, books, minDocTokens, booksWeight, chats, chatWeight, qa, qaChunkTokens, qaWeight, needleWeight, weighting,
        badInput, newVision);
  }

  /** The book-length filter for a stage of {@code seqLen} tokens ({@code -1} resolved). */
  public int minDocTokens(int seqLen) {
    return minDocTokens == -1 ? seqLen : minDocTokens;
  }

  /** A fresh policy (it counts what it skips, so one per opening). */
  public BadInputPolicy badInputPolicy() {
    return BadInputPolicy.parse(badInput);
  }

  private static void required(String value, String key, String emptyMeans) {
    if (value == null) {
      throw new BadInputException("data." + key + " must be set (\"\" = " + emptyMeans + ")");
    }
  }

  private static void weight(double w, String key) {
    if (!(w >= 0) || Double.isInfinite(w)) {
      throw new BadInputException("data." + key + " must be >= 0, got " + w);
    }
  }
}

package io.worldring.datasets;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.model.BadInputException;
import io.worldring.model.io.JsonFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} (LLaMA-2's SentencePiece BPE with byte fallback, or any other)
 * through the Hugging Face tokenizers library itself (DJL's binding, which ships its native library).
 * Special tokens come from the file's {@code added_tokens}: BOS {@code <s>}, EOS {@code </s>}, and pad
 * {@code <pad>} if present, else {@code <unk>} (LLaMA-2 has no pad token; padding never has a loss).
 */
public final class HfTokenizer implements Tokenizer, AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final Path file;
  private final int vocabSize;
  private final int bos;
  private final int eos;
  private final int pad;

  private HfTokenizer(HuggingFaceTokenizer tokenizer, Path file, int vocabSize, int bos, int eos, int pad) {
    this.tokenizer = tokenizer;
    this.file = file;
    this.vocabSize = vocabSize;
    this.bos = bos;
    this.eos = eos;
    this.pad = pad;
  }

  public static HfTokenizer load(Path file) {
    JsonNode json;
    try {
      json = JsonFiles.parse(new ObjectMapper(), Files.readAllBytes(file), file.toString());
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": no such tokenizer file");
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
    Map<String, Integer> special = new HashMap<>();
    int maxId = -1;
    for (JsonNode t : json.path("added_tokens")) {
      int id = id(t.path("id"), file, "added_tokens");
      special.put(t.path("content").asText(), id);
      maxId = Math.max(maxId, id);
    }
    JsonNode vocab = json.path("model").path("vocab");
    if (vocab.isArray()) { // Unigram: [piece, score] pairs, the id is the index
      maxId = Math.max(maxId, vocab.size() - 1);
    } else {
      for (JsonNode id : vocab) { // BPE, WordPiece: piece -> id
        maxId = Math.max(maxId, id(id, file, "model.vocab"));
      }
    }
    if (maxId < 0) {
      throw new BadInputException(file + ": the tokenizer has no vocabulary");
    }
    String outOfRange = numberOutOfRange(json, "");
    if (outOfRange != null) { // the library rejects it too, but in a decoder by a panic, which aborts the JVM
      throw new BadInputException(file + ": " + outOfRange + " is a number out of the range of a double");
    }
    checkMerges(json.path("model"), file);
    checkStripDecoders(json.path("decoder"), file, "decoder");
    Integer bos = special.get("<s>");
    Integer eos = special.get("</s>");
    if (bos == null || eos == null) {
      throw new BadInputException(file + ": added_tokens must include <s> and </s> (the LLaMA special tokens)");
    }
    int pad = special.getOrDefault("<pad>", special.getOrDefault("<unk>", eos));
    try {
      HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(file, Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
      return new HfTokenizer(hf, file, maxId + 1, bos, eos, pad);
    } catch (IOException | RuntimeException e) {
      throw new BadInputException(file + ": the tokenizers library cannot load it (" + e.getMessage() + ")", e);
    }
  }

  /**
   * A BPE model's merges, checked as the tokenizers library builds them: each a pair of vocabulary tokens, the
   * right one starting with the continuing-subword prefix, whose merge is in the vocabulary. The library panics
   * on some of these (huggingface/tokenizers#2198) where it should return an error, and a panic in native code
   * aborts the JVM.
   */
  private static void checkMerges(JsonNode model, Path file) {
    if (!model.path("type").asText("BPE").equals("BPE") || !model.has("merges")) {
      return;
    }
    JsonNode vocab = model.path("vocab");
    String prefix = model.path("continuing_subword_prefix").isTextual() ? model.get("continuing_subword_prefix").asText() : "";
    int i = 0;
    for (JsonNode merge : model.path("merges")) {
      String[] pair = merge.isTextual() ? merge.asText().split(" ", -1)
          : merge.isArray() && merge.size() == 2 && merge.get(0).isTextual() && merge.get(1).isTextual()
              ? new String[] {merge.get(0).asText(), merge.get(1).asText()} : new String[0];
      if (pair.length != 2 || !vocab.has(pair[0]) || !vocab.has(pair[1]) || !pair[1].startsWith(prefix)
          || !vocab.has(pair[0] + pair[1].substring(prefix.length()))) {
        throw new BadInputException(file + ": model.merges[" + i + "] " + merge + " is not two vocabulary tokens whose merge"
            + (prefix.isEmpty() ? "" : " (less the continuing_subword_prefix '" + prefix + "')") + " is in the vocabulary");
      }
      i++;
    }
  }

  /**
   * Refuses a Strip decoder that strips from the end ({@code stop} above 0): tokenizers 0.21 indexes past the
   * start of any token shorter than {@code stop} (an empty special token, say) and panics, which aborts the
   * JVM. LLaMA's tokenizers strip one leading space ({@code start = 1, stop = 0}), which is safe.
   */
  private static void checkStripDecoders(JsonNode decoder, Path file, String path) {
    if ("Strip".equals(decoder.path("type").asText()) && decoder.path("stop").isNumber() && decoder.path("stop").asDouble() != 0) {
      throw new BadInputException(file + ": " + path + " is a Strip decoder with stop = " + decoder.get("stop")
          + "; only stop = 0 is accepted (the tokenizers library panics on tokens shorter than stop)");
    }
    int i = 0;
    for (JsonNode d : decoder.path("decoders")) {
      checkStripDecoders(d, file, path + ".decoders[" + i++ + "]");
    }
  }

  /** The path of the first number in {@code node} too large for a double (1e400), or null. */
  private static String numberOutOfRange(JsonNode node, String path) {
    if (node.isNumber()) {
      return Double.isFinite(node.asDouble()) ? null : path;
    }
    int i = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      String found = numberOutOfRange(f.getValue(), path.isEmpty() ? f.getKey() : path + "." + f.getKey());
      if (found != null) {
        return found;
      }
    }
    for (JsonNode element : node.isArray() ? node : List.<JsonNode>of()) {
      String found = numberOutOfRange(element, path + "[" + i++ + "]");
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  /** A token id: an integer in [0, 2^31 - 1), so that the vocabulary size (the largest id + 1) is an int. */
  private static int id(JsonNode v, Path file, String where) {
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0 || v.asInt() == Integer.MAX_VALUE) {
      throw new BadInputException(file + ": " + where + " has a token id " + v + ", not an integer in [0, 2^31 - 1)");
    }
    return v.asInt();
  }

  @Override
  public int[] encode(String text) {
    Encoding e = tokenizer.encode(text, false, false);
    long[] ids = e.getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  @Override
  public Encoded encodeWithSpans(String text) {
    Encoding e = tokenizer.encode(text, false, false);
    long[] ids = e.getIds();
    ai.djl.huggingface.tokenizers.jni.CharSpan[] spans = e.getCharTokenSpans();
    int[] out = new int[ids.length];
    int[] start = new int[ids.length];
    int[] end = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
      start[i] = spans[i] == null ? -1 : spans[i].getStart();
      end[i] = spans[i] == null ? -1 : spans[i].getEnd();
    }
    return new Encoded(out, start, end);
  }

  @Override
  public String decode(int[] ids) {
    long[] l = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      l[i] = ids[i];
    }
    return tokenizer.decode(l, true);
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public int bos() {
    return bos;
  }

  @Override
  public int eos() {
    return eos;
  }

  @Override
  public int pad() {
    return pad;
  }

  @Override
  public String name() {
    return file.toString();
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}

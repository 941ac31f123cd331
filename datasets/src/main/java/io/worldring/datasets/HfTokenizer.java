package io.worldring.datasets;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.model.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
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
      json = new ObjectMapper().readTree(Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": no such tokenizer file");
    } catch (IOException e) {
      throw new BadInputException(file + ": not a valid tokenizer.json (" + e.getMessage() + ")", e);
    }
    Map<String, Integer> special = new HashMap<>();
    int maxId = -1;
    for (JsonNode t : json.path("added_tokens")) {
      special.put(t.path("content").asText(), t.path("id").asInt());
      maxId = Math.max(maxId, t.path("id").asInt());
    }
    for (JsonNode id : json.path("model").path("vocab")) {
      maxId = Math.max(maxId, id.asInt());
    }
    if (maxId < 0) {
      throw new BadInputException(file + ": the tokenizer has no vocabulary");
    }
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

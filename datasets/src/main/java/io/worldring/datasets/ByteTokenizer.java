package io.worldring.datasets;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The zero-file tokenizer for tiny CPU runs: ids 0-255 are the UTF-8 bytes of the text, then
 * {@code <pad>} 256, {@code <s>} 257, {@code </s>} 258; ids up to 271 are reserved for further special
 * tokens, so the vocabulary is 272 (the {@code tiny} and {@code small} model presets).
 */
public final class ByteTokenizer implements Tokenizer {
  public static final int PAD = 256;
  public static final int BOS = 257;
  public static final int EOS = 258;
  public static final int VOCAB_SIZE = 272;

  @Override
  public int[] encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = bytes[i] & 0xff;
    }
    return ids;
  }

  @Override
  public Encoded encodeWithSpans(String text) {
    int[] ids = encode(text);
    int[] start = new int[ids.length];
    int[] end = new int[ids.length];
    int b = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int units = Character.charCount(cp);
      int bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (cp >= 0xD800 && cp <= 0xDFFF) {
        bytes = 1; // a lone surrogate encodes as '?'
      }
      for (int k = 0; k < bytes && b < ids.length; k++, b++) {
        start[b] = i;
        end[b] = i + units;
      }
      i += units;
    }
    return new Encoded(ids, start, end);
  }

  /** Bytes back to text; special tokens are dropped, invalid UTF-8 becomes U+FFFD. */
  @Override
  public String decode(int[] ids) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length);
    for (int id : ids) {
      if (id >= 0 && id < 256) {
        out.write(id);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public int vocabSize() {
    return VOCAB_SIZE;
  }

  @Override
  public int bos() {
    return BOS;
  }

  @Override
  public int eos() {
    return EOS;
  }

  @Override
  public int pad() {
    return PAD;
  }

  @Override
  public String name() {
    return "bytes";
  }
}

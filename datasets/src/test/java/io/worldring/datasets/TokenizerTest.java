package io.worldring.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.BadInputException;
import io.worldring.model.SplitMix64;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TokenizerTest {
  static Path tokenizerJson() throws URISyntaxException {
    return Path.of(TokenizerTest.class.getResource("/tokenizer/tokenizer.json").toURI());
  }

  // Ids in the test vocabulary: bytes are 3 + byte value; then the pieces in the order written.
  static final int SPACE = 259; // "▁"
  static final int E = 264;
  static final int HELLO = 278; // "▁hello"
  static final int WORLD = 283; // "▁world"
  static final int H_PIECE = 275; // "▁h"
  static final int LD = 282; // "ld"
  static final int THE = 286; // "▁the"

  @Test
  void huggingFaceTokenizerGivesTheIdsTheMergeRulesImply() throws Exception {
    try (HfTokenizer t = HfTokenizer.load(tokenizerJson())) {
      // "hello world" -> "▁hello▁world": merges build ▁hello and ▁world.
      assertArrayEquals(new int[] {HELLO, WORLD}, t.encode("hello world"));
      // "held" -> ▁h (merge), e, ld (merge): no merge makes "el".
      assertArrayEquals(new int[] {H_PIECE, E, LD}, t.encode("held"));
      // "é" is not in the vocabulary: byte fallback to its UTF-8 bytes C3 A9.
      assertArrayEquals(new int[] {SPACE, 3 + 0xC3, 3 + 0xA9}, t.encode("é"));
      assertArrayEquals(new int[] {THE, WORLD}, t.encode("the world"));
      assertEquals("hello world", t.decode(t.encode("hello world")));
      assertEquals("é held", t.decode(t.encode("é held")));
      assertEquals(1, t.bos());
      assertEquals(2, t.eos());
      assertEquals(0, t.pad(), "no <pad>: <unk> pads");
      assertEquals(287, t.vocabSize());
      // Long documents are not truncated (the library's default would cut at 512 tokens).
      String longText = "hello world the world held ".repeat(400);
      int[] ids = t.encode(longText);
      assertTrue(ids.length >= 400 * t.encode("hello world the world held").length, "every word of a long text is tokenized: " + ids.length);
      assertEquals(longText.strip(), t.decode(ids).strip());
    }
  }

  @Test
  void byteTokenizerRoundTripsAnyUtf8() {
    ByteTokenizer t = new ByteTokenizer();
    SplitMix64 rng = new SplitMix64(5);
    for (int round = 0; round < 500; round++) {
      StringBuilder b = new StringBuilder();
      int n = rng.nextInt(40);
      for (int i = 0; i < n; i++) {
        int cp;
        do {
          cp = rng.nextInt(4) == 0 ? rng.nextInt(0x110000) : rng.nextInt(0x800);
        } while (cp >= 0xD800 && cp <= 0xDFFF); // lone surrogates are not text
        b.appendCodePoint(cp);
      }
      String text = b.toString();
      int[] ids = t.encode(text);
      assertEquals(text.getBytes(StandardCharsets.UTF_8).length, ids.length);
      assertEquals(text, t.decode(ids), "round " + round);
    }
  }

  @Test
  void badTokenizerFilesAreNamed(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    BadInputException missing = assertThrows(BadInputException.class, () -> HfTokenizer.load(dir.resolve("none.json")));
    assertTrue(missing.getMessage().contains("none.json: no such tokenizer file"), missing.getMessage());
    Path broken = dir.resolve("broken.json");
    java.nio.file.Files.writeString(broken, "{\"added_tokens\": [");
    BadInputException bad = assertThrows(BadInputException.class, () -> HfTokenizer.load(broken));
    assertTrue(bad.getMessage().startsWith(broken.toString()), bad.getMessage());
  }
}

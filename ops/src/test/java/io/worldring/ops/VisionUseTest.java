package io.worldring.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.datasets.ByteTokenizer;
import io.worldring.datasets.vision.CaptionFormat;
import io.worldring.datasets.vision.SampleMedia;
import io.worldring.datasets.vision.VisionVocabulary;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code worldring generate --image-out} and {@code worldring ask} on a tiny vision model (random weights)
 * and a tiny patch tokenizer: what is written, where the frame ends are, guidance at scale 1 against none,
 * determinism in the seed, answers and choice scores about the bundled mp4, and the errors.
 */
class VisionUseTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final VisionVocabulary VOCAB = new VisionVocabulary(VisionFixtures.CODEBOOK);

  @TempDir
  static Path dir;
  static String tokenizer;
  static String vision;
  static String textOnly;
  static String mismatched;
  static String mp4;

  @BeforeAll
  static void fixtures() {
    tokenizer = VisionFixtures.tokenizer(dir.resolve("tok")).toString();
    vision = VisionFixtures.checkpoint(dir.resolve("vision"), VOCAB.size()).toString();
    textOnly = VisionFixtures.checkpoint(dir.resolve("text"), 0).toString();
    mismatched = VisionFixtures.checkpoint(dir.resolve("mismatched"), 20).toString();
    mp4 = SampleMedia.extract(SampleMedia.MP4, dir.resolve("media")).toString();
  }

  static JsonNode generate(String out, String... extra) throws Exception {
    String[] base = {"generate", "--checkpoint", vision, "--tokenizer", tokenizer, "--prompt", "a red square", "--image-out",
        dir.resolve(out).toString(), "--json"};
    String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    CliRunner.Result r = CliRunner.run(args);
    assertEquals(0, r.exitCode(), r.err());
    return JSON.readTree(r.out());
  }

  static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  @Test
  void anImageOfTheTokenizersFrameSizeWithItsEndForcedToEov() throws Exception {
    JsonNode n = generate("one.png", "--seed", "3");
    BufferedImage png = ImageIO.read(dir.resolve("one.png").toFile());
    assertEquals(VisionFixtures.FRAME_SIZE, png.getWidth());
    assertEquals(VisionFixtures.FRAME_SIZE, png.getHeight());
    int[] generated = ints(n.get("generated"));
    assertEquals(VisionFixtures.CODES_PER_FRAME + 1, generated.length);
    for (int i = 0; i < VisionFixtures.CODES_PER_FRAME; i++) {
      assertTrue(generated[i] >= 0 && generated[i] < VisionFixtures.CODEBOOK, "position " + i + " holds " + generated[i]);
    }
    assertEquals(VOCAB.eov(), generated[VisionFixtures.CODES_PER_FRAME]);
    assertEquals(VOCAB.eof(), n.get("eof").asInt());
    assertArrayEquals(ints(n.get("codes").get(0)), java.util.Arrays.copyOf(generated, VisionFixtures.CODES_PER_FRAME));
    // The prompt is CaptionFormat's: <s> caption <vision>, all text.
    assertArrayEquals(new CaptionFormat(new ByteTokenizer(), VOCAB).generationPrompt("a red square").tokens(), ints(n.get("prompt")));
    assertTrue(n.get("tokens_per_second").asDouble() > 0);
  }

  @Test
  void everyFrameEndsInEofAndTheLastInEov() throws Exception {
    JsonNode n = generate("three.png", "--frames", "3", "--top-k", "5", "--cfg-scale", "3");
    int[] generated = ints(n.get("generated"));
    int perFrame = VisionFixtures.CODES_PER_FRAME + 1;
    assertEquals(3 * perFrame, generated.length);
    for (int i = 0; i < generated.length; i++) {
      int expected = i == 3 * perFrame - 1 ? VOCAB.eov() : (i + 1) % perFrame == 0 ? VOCAB.eof() : -1;
      if (expected >= 0) {
        assertEquals(expected, generated[i], "position " + i);
      } else {
        assertTrue(generated[i] < VisionFixtures.CODEBOOK, "position " + i + " holds " + generated[i] + ", not a code");
      }
    }
    assertEquals(3, n.get("codes").size());
    BufferedImage grid = ImageIO.read(dir.resolve("three.png").toFile());
    assertEquals(2 * VisionFixtures.FRAME_SIZE, grid.getWidth(), "3 frames: a 2x2 grid");
    assertEquals(2 * VisionFixtures.FRAME_SIZE, grid.getHeight());
  }

  @Test
  void guidanceAtScaleOneIsNoGuidanceAndTheSeedFixesTheImage() throws Exception {
    JsonNode plain = generate("plain.png", "--seed", "5", "--frames", "2");
    JsonNode scaleOne = generate("cfg1.png", "--seed", "5", "--frames", "2", "--cfg-scale", "1");
    JsonNode again = generate("again.png", "--seed", "5", "--frames", "2");
    JsonNode other = generate("other.png", "--seed", "6", "--frames", "2");
    assertEquals(plain.get("generated"), scaleOne.get("generated"));
    assertEquals(1.0, scaleOne.get("cfg_scale").asDouble());
    assertTrue(plain.get("cfg_scale").isNull());
    assertArrayEquals(Files.readAllBytes(dir.resolve("plain.png")), Files.readAllBytes(dir.resolve("cfg1.png")));
    assertArrayEquals(Files.readAllBytes(dir.resolve("plain.png")), Files.readAllBytes(dir.resolve("again.png")));
    assertNotEquals(plain.get("generated"), other.get("generated"));
  }

  @Test
  void textGenerationIsUnchangedAndImageFlagsNeedImageOut() throws Exception {
    CliRunner.Result text = CliRunner.run("generate", "--checkpoint", vision, "--prompt", "ab", "--max-new-tokens", "3", "--json");
    assertEquals(0, text.exitCode(), text.err());
    assertEquals(3, JSON.readTree(text.out()).get("generated").size());
    CliTest.assertBadInput(CliRunner.run("generate", "--checkpoint", vision, "--prompt", "ab", "--top-k", "3"), "need --image-out");
    CliTest.assertBadInput(CliRunner.run("generate", "--checkpoint", vision, "--tokens", "1 2", "--tokenizer", tokenizer, "--image-out",
        dir.resolve("x.png").toString()), "--image-out takes --prompt");
    CliTest.assertBadInput(CliRunner.run("generate", "--checkpoint", vision, "--prompt", "ab", "--image-out", dir.resolve("x.png").toString()),
        "--image-out needs --tokenizer");
  }

  @Test
  void aTextCheckpointOrAnotherCodebookIsRefusedNamingBoth() {
    Path out = dir.resolve("refused.png");
    CliTest.assertBadInput(CliRunner.run("generate", "--checkpoint", textOnly, "--tokenizer", tokenizer, "--prompt", "x", "--image-out",
        out.toString()), "checkpoint " + textOnly + " is text-only", "the vision tokenizer " + tokenizer + " (codebook 32");
    CliTest.assertBadInput(CliRunner.run("generate", "--checkpoint", mismatched, "--tokenizer", tokenizer, "--prompt", "x", "--image-out",
        out.toString()), "checkpoint " + mismatched + " has a vision vocabulary of 20", "vision tokenizer " + tokenizer + " (codebook 32, a vision vocabulary of 34");
    CliTest.assertBadInput(CliRunner.run("ask", "--checkpoint", textOnly, "--tokenizer", tokenizer, "--video", mp4, "--question", "what?"),
        "is text-only", tokenizer);
    CliTest.assertBadInput(CliRunner.run("ask", "--checkpoint", mismatched, "--tokenizer", tokenizer, "--video", mp4, "--question", "what?"),
        "vision vocabulary of 20", "codebook 32");
    assertFalse(Files.exists(out));
  }

  @Test
  void askAboutTheBundledVideo() throws Exception {
    assertEquals(0, CliRunner.run("ask", "--help").exitCode());
    CliRunner.Result r = CliRunner.run("ask", "--checkpoint", vision, "--tokenizer", tokenizer, "--video", mp4, "--question",
        "What is moving?", "--max-frames", "4", "--max-new-tokens", "8", "--json");
    assertEquals(0, r.exitCode(), r.err());
    JsonNode n = JSON.readTree(r.out());
    assertTrue(n.get("answer").isTextual());
    assertEquals(4, n.get("frames").asInt());
    assertEquals(4 * (VisionFixtures.CODES_PER_FRAME + 1), n.get("vision_tokens").asInt());
    assertTrue(n.get("prompt_tokens").asInt() > n.get("vision_tokens").asInt());
    assertTrue(n.get("generated_tokens").asInt() <= 8);

    CliRunner.Result plain = CliRunner.run("ask", "--checkpoint", vision, "--tokenizer", tokenizer, "--video", mp4, "--question",
        "What is moving?", "--max-frames", "4", "--max-new-tokens", "8");
    assertEquals(0, plain.exitCode(), plain.err());
    assertEquals(n.get("answer").asText(), plain.out().strip());
  }

  @Test
  void choicesAreAllScoredAndTheBestIsTheMostLikely() throws Exception {
    CliRunner.Result r = CliRunner.run("ask", "--checkpoint", vision, "--tokenizer", tokenizer, "--video", mp4, "--question",
        "What colour is the ball?", "--max-frames", "3", "--choices", "red,blue,green square", "--json");
    assertEquals(0, r.exitCode(), r.err());
    JsonNode n = JSON.readTree(r.out());
    JsonNode choices = n.get("choices");
    assertEquals(3, choices.size());
    String best = null;
    double max = Double.NEGATIVE_INFINITY;
    for (JsonNode c : choices) {
      double ll = c.get("log_likelihood").asDouble();
      assertTrue(ll < 0 && Double.isFinite(ll), c.toString());
      if (ll > max) {
        max = ll;
        best = c.get("choice").asText();
      }
    }
    assertEquals("green square", choices.get(2).get("choice").asText());
    assertEquals(" green square".length() + 1, choices.get(2).get("tokens").asInt(), "bytes and EOS");
    assertEquals(best, n.get("answer").asText());
    assertEquals(3, n.get("frames").asInt());

    // An image is one frame.
    Path photo = SampleMedia.extract("chelsea.png", dir.resolve("media"));
    CliRunner.Result image = CliRunner.run("ask", "--checkpoint", vision, "--tokenizer", tokenizer, "--video", photo.toString(), "--question",
        "Is it a cat?", "--choices", "yes,no");
    assertEquals(0, image.exitCode(), image.err());
    String[] lines = image.out().strip().split("\n");
    assertEquals(3, lines.length, image.out());
    assertTrue(lines[0].equals("yes") || lines[0].equals("no"), lines[0]);
    assertTrue(image.err().contains("(1 frame,"), image.err());
  }
}

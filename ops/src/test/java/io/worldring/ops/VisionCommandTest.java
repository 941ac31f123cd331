package io.worldring.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.datasets.vision.Frame;
import io.worldring.datasets.vision.SampleMedia;
import io.worldring.datasets.vision.VisionInput;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tokenizer round trip through the CLI: train on the bundled photos, encode one of them, decode the
 * codes. The stated bar: the bundled cat photo (chelsea.png) comes back at 20 dB PSNR or better with the
 * tiny preset (32x32 frames, 16 codes of 8x8 pixels, 256 codes; measured 21.3-21.6 dB), and at least
 * 2 dB above the frame's flat mean colour (19.1 dB: at 32x32 the cat photo is mostly smooth).
 */
class VisionCommandTest {
  static final double STATED_PSNR_DB = 20.0;

  /** PSNR (peak 2 on [-1, 1]) of a frame against its own mean colour. */
  static double meanColourPsnr(Frame f) {
    int plane = f.size() * f.size();
    double se = 0;
    for (int c = 0; c < 3; c++) {
      double mean = 0;
      for (int i = 0; i < plane; i++) {
        mean += f.rgb()[c * plane + i];
      }
      mean /= plane;
      for (int i = 0; i < plane; i++) {
        double d = f.rgb()[c * plane + i] - mean;
        se += d * d;
      }
    }
    return 10 * Math.log10(4 / (se / (3.0 * plane)));
  }

  @Test
  void trainEncodeDecodeABundledPhoto(@TempDir Path dir) throws Exception {
    Path tokenizer = dir.resolve("tok");
    CliRunner.Result train = CliRunner.run("vision", "train-tokenizer", "--out", tokenizer.toString(), "--crops-per-image", "48");
    assertEquals(0, train.exitCode(), train.err());
    JsonNode summary = new ObjectMapper().readTree(train.out());
    assertEquals(9, summary.get("images").asInt());
    assertEquals(9 * 48, summary.get("frames").asInt());
    assertEquals(16, summary.get("codes_per_frame").asInt());
    assertTrue(Files.isRegularFile(tokenizer.resolve("tokenizer.json")));

    Path photo = SampleMedia.extract("chelsea.png", dir);
    Path codes = dir.resolve("codes.json");
    CliRunner.Result encode = CliRunner.run("vision", "encode", "--tokenizer", tokenizer.toString(), "--image", photo.toString(),
        "--out", codes.toString());
    assertEquals(0, encode.exitCode(), encode.err());
    JsonNode c = new ObjectMapper().readTree(codes.toFile());
    assertEquals(16, c.get("codes").size());
    double psnr = c.get("psnr_db").asDouble();
    double flat = meanColourPsnr(VisionInput.image(photo, 32));
    assertTrue(psnr >= STATED_PSNR_DB && psnr >= flat + 2, "PSNR " + psnr + " dB; the flat mean colour: " + flat + " dB");
    assertTrue(encode.out().contains("reconstruction PSNR"), encode.out());

    Path png = dir.resolve("back.png");
    CliRunner.Result decode = CliRunner.run("vision", "decode", "--tokenizer", tokenizer.toString(), "--codes", codes.toString(), "--out",
        png.toString());
    assertEquals(0, decode.exitCode(), decode.err());
    BufferedImage back = ImageIO.read(png.toFile());
    assertEquals(32, back.getWidth());
    assertEquals(32, back.getHeight());

    // Bad input names the file and what is wrong; nothing is written.
    Files.writeString(dir.resolve("bad.json"), "{\"codes\": [1, 2, 3]}");
    Path untouched = dir.resolve("untouched.png");
    CliRunner.Result bad = CliRunner.run("vision", "decode", "--tokenizer", tokenizer.toString(), "--codes", dir.resolve("bad.json").toString(),
        "--out", untouched.toString());
    assertEquals(WorldringCli.EXIT_BAD_INPUT, bad.exitCode());
    assertTrue(bad.err().contains("bad.json: \"codes\" holds 3 codes; this tokenizer's frames have 16"), bad.err());
    assertFalse(Files.exists(untouched));
    CliRunner.Result again = CliRunner.run("vision", "train-tokenizer", "--out", tokenizer.toString());
    assertEquals(WorldringCli.EXIT_BAD_INPUT, again.exitCode());
    assertTrue(again.err().contains("already holds a tokenizer"), again.err());
  }
}

package io.worldring.model.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.BadInputException;
import io.worldring.model.Parameters;
import io.worldring.model.io.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The trainable tokenizer on synthetic-world-like frames, with the tiny preset (32x32, 16 codes, 256 centroids). */
class PatchCodebookTest {
  private static final PatchCodebookConfig TINY = PatchCodebookConfig.tiny();
  private static INDArray training;
  private static PatchCodebook trained;

  @BeforeAll
  static void train() {
    training = SyntheticFrames.generate(1, 300, 32);
    trained = PatchCodebook.train(TINY, training);
  }

  @Test
  void reconstructsHeldOutFramesBetterThanTheirMeanColour() {
    INDArray heldOut = SyntheticFrames.generate(2, 100, 32);
    double psnr = Psnr.of(heldOut, trained.decodeAll(trained.encodeAll(heldOut)));
    double baseline = Psnr.of(heldOut, SyntheticFrames.meanColour(heldOut));
    // measured: 20.0 dB against 15.8 dB for the mean colour
    assertTrue(psnr >= 19.0, "held-out PSNR " + psnr + " dB");
    assertTrue(psnr >= baseline + 3.0, "held-out PSNR " + psnr + " dB against the mean colour's " + baseline + " dB");
    assertTrue(trained.training().psnr() >= 19.0, "training PSNR " + trained.training());
  }

  @Test
  void frameCodecShapes() {
    assertEquals(32, trained.frameSize());
    assertEquals(4, trained.gridSize());
    assertEquals(16, trained.codesPerFrame());
    assertEquals(256, trained.codebookSize());
    int[] codes = trained.encode(training.slice(0));
    assertEquals(16, codes.length);
    assertArrayEquals(trained.encodeAll(training)[0], codes);
    assertArrayEquals(new long[] {3, 32, 32}, trained.decode(codes).shape());
    assertThrows(IllegalArgumentException.class, () -> trained.encode(Nd4j.zeros(DataType.FLOAT, 3, 64, 64)));
    assertThrows(BadInputException.class, () -> trained.decode(new int[15]));
  }

  @Test
  void codesAreTheExactNearestCentroidPerPatch() {
    INDArray frames = SyntheticFrames.generate(3, 10, 32);
    int[][] codes = trained.encodeAll(frames);
    int[] expected = NearestCodeTest.bruteForce(Patches.split(frames, 8), trained.centroids());
    for (int f = 0; f < 10; f++) {
      assertArrayEquals(java.util.Arrays.copyOfRange(expected, f * 16, f * 16 + 16), codes[f], "frame " + f);
    }
    // decoding puts the chosen centroid back on each patch
    INDArray decoded = Patches.split(trained.decode(codes[4]).reshape(1, 3, 32, 32), 8);
    assertEquals(trained.centroids().getRow(codes[4][6]), decoded.getRow(6));
  }

  @Test
  void trainingIsDeterministicForASeed() {
    PatchCodebook again = PatchCodebook.train(TINY, training);
    assertArrayEquals(trained.centroids().data().asFloat(), again.centroids().data().asFloat());
    assertEquals(trained.training(), again.training());
    PatchCodebookConfig otherSeed = new PatchCodebookConfig(32, 16, 256, 25, 2, 16384);
    assertTrue(!java.util.Arrays.equals(trained.centroids().data().asFloat(), PatchCodebook.train(otherSeed, training).centroids().data().asFloat()));
  }

  @Test
  void saveAndLoadRoundTripBitForBit(@TempDir Path dir) {
    Path out = dir.resolve("tok");
    trained.save(out);
    PatchCodebook loaded = PatchCodebook.load(out);
    assertEquals(trained.config(), loaded.config());
    assertEquals(trained.training(), loaded.training());
    assertArrayEquals(trained.centroids().data().asFloat(), loaded.centroids().data().asFloat());
    INDArray frames = SyntheticFrames.generate(4, 5, 32);
    assertArrayEquals(trained.encodeAll(frames), loaded.encodeAll(frames));
    assertTrue(FrameCodecs.load(out) instanceof PatchCodebook);
  }

  private static String rejected(Path dir) {
    BadInputException e = assertThrows(BadInputException.class, () -> PatchCodebook.load(dir));
    return e.getMessage();
  }

  @Test
  void badDirectoriesAreRejectedNamingTheFile(@TempDir Path dir) throws IOException {
    Path tok = dir.resolve("tok");
    assertTrue(rejected(tok).startsWith(tok + ": no such tokenizer directory"));
    trained.save(tok);
    Path json = tok.resolve("tokenizer.json");
    String good = Files.readString(json);

    Files.writeString(json, good.replace("\"codebook-size\"", "\"codebook-sizes\""));
    assertTrue(rejected(tok).startsWith(json + ": unknown key 'codebook-sizes'"), rejected(tok));
    Files.writeString(json, good.replace("\"seed\" : 1,", ""));
    assertTrue(rejected(tok).startsWith(json + ": missing key 'seed'"), rejected(tok));
    Files.writeString(json, good.replace("\"frame-size\" : 32", "\"frame-size\" : \"32\""));
    assertTrue(rejected(tok).startsWith(json + ": 'frame-size' must be an integer"), rejected(tok));
    Files.writeString(json, good.replace("\"codes-per-frame\" : 16", "\"codes-per-frame\" : 15"));
    assertTrue(rejected(tok).startsWith(json + ": codes per frame (15) must be a square"), rejected(tok));
    Files.writeString(json, good.substring(0, good.length() / 2));
    assertTrue(rejected(tok).startsWith(json + ": not valid JSON"), rejected(tok));
    Files.writeString(json, good.replace("worldring-frame-codec/1", "worldring-frame-codec/9"));
    assertTrue(rejected(tok).startsWith(json + ": format is 'worldring-frame-codec/9'"), rejected(tok));
    Files.writeString(json, good.replace("\"codebook-size\" : 256", "\"codebook-size\" : 128"));
    Path codebook = tok.resolve(PatchCodebook.CODEBOOK_FILE);
    assertTrue(rejected(tok).startsWith(codebook + ": tensor codebook has shape [256, 192], but tokenizer.json needs [128, 192]"), rejected(tok));

    Files.writeString(json, good);
    Safetensors.write(codebook, new Parameters().put("centroids", Nd4j.zeros(DataType.FLOAT, 256, 192)), Map.of());
    assertTrue(rejected(tok).startsWith(codebook + ": expected exactly one tensor 'codebook'"), rejected(tok));
    byte[] bytes = Files.readAllBytes(codebook);
    Files.write(codebook, java.util.Arrays.copyOf(bytes, bytes.length - 10));
    assertTrue(rejected(tok).startsWith(codebook + ": truncated"), rejected(tok));
    Files.delete(codebook);
    assertTrue(rejected(tok).startsWith(codebook + ": no such file"), rejected(tok));
    Files.delete(json);
    assertTrue(rejected(tok).startsWith(json + ": no such file"), rejected(tok));
  }

  @Test
  void tooFewPatchesForTheCodebookIsBadInput() {
    BadInputException e = assertThrows(BadInputException.class, () -> PatchCodebook.train(TINY, SyntheticFrames.generate(5, 10, 32)));
    assertTrue(e.getMessage().contains("160 patches, fewer than the 256 codes"), e.getMessage());
  }
}

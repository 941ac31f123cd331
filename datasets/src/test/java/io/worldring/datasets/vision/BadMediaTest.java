package io.worldring.datasets.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.BadInputException;
import io.worldring.model.SplitMix64;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Truncated and corrupt images and videos: an error that names the file, never a silent short or grey result. */
class BadMediaTest {
  @TempDir
  Path dir;

  static void assertFails(Runnable r, Path file, String... parts) {
    BadInputException e = assertThrows(BadInputException.class, r::run);
    assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
    }
  }

  Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  byte[] bundled(String name) throws IOException {
    try (var in = SampleMedia.open(name)) {
      return in.readAllBytes();
    }
  }

  static byte[] random(int n, long seed) {
    SplitMix64 rng = new SplitMix64(seed);
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) rng.nextLong();
    }
    return b;
  }

  @Test
  void truncatedMp4() throws IOException {
    byte[] mp4 = bundled(SampleMedia.MP4);
    Path cut = write("cut.mp4", Arrays.copyOf(mp4, mp4.length / 2)); // this file keeps its index at the end: gone
    assertFails(() -> VisionInput.video(cut, 8, 32), cut, "cannot open as MP4");
  }

  @Test
  void mp4WhoseFramesEndBeforeItsIndexSays() throws IOException {
    Path cut = write("short-data.mp4", withHalfTheMediaData(bundled(SampleMedia.MP4)));
    Mp4Reader reader = Mp4Reader.open(cut);
    assertEquals(36, reader.frameCount(), "the index is intact");
    assertFails(() -> VisionInput.video(cut, 8, 32), cut, "of the 36 frames its index lists");
  }

  @Test
  void randomBytesAsVideo() throws IOException {
    Path mp4 = write("noise.mp4", random(20_000, 1));
    assertFails(() -> VisionInput.video(mp4, 8, 32), mp4, "cannot open as MP4");
    Path gif = write("noise.gif", random(20_000, 2));
    assertFails(() -> VisionInput.video(gif, 8, 32), gif, "not a GIF");
  }

  @Test
  void truncatedGif() throws IOException {
    byte[] gif = bundled(SampleMedia.GIF);
    Path cut = write("cut.gif", Arrays.copyOf(gif, gif.length / 2));
    assertFails(() -> VisionInput.video(cut, 36, 32), cut, "truncated");
  }

  @Test
  void truncatedAndRandomImages() throws IOException {
    byte[] png = bundled("horse.png");
    Path cutPng = write("cut.png", Arrays.copyOf(png, png.length / 2));
    assertFails(() -> VisionInput.image(cutPng, 32), cutPng, "cannot decode image");
    byte[] jpg = bundled("rocket.jpg");
    Path cutJpg = write("cut.jpg", Arrays.copyOf(jpg, jpg.length / 2));
    assertFails(() -> VisionInput.image(cutJpg, 32), cutJpg, "damaged JPEG");
    Path noise = write("noise.png", random(5_000, 3));
    assertFails(() -> VisionInput.image(noise, 32), noise, "not an image format ImageIO reads");
    Path missing = dir.resolve("missing.png");
    assertFails(() -> VisionInput.image(missing, 32), missing, "no such image file");
  }

  @Test
  void aDirectoryWithABrokenFrameNamesThatFrame() throws IOException {
    Path frames = Files.createDirectories(dir.resolve("frames"));
    Frame.filled(8, 0xFF0000).writePng(frames.resolve("0.png"));
    byte[] png = bundled("horse.png");
    Path broken = Files.write(frames.resolve("1.png"), Arrays.copyOf(png, png.length / 3));
    assertFails(() -> VisionInput.video(frames, 8, 8), broken);
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertFails(() -> VisionInput.video(empty, 8, 8), empty, "no .png or .jpg frames");
    Path text = write("clip.avi", new byte[10]);
    assertFails(() -> VisionInput.video(text, 8, 8), text, "not a video this reader knows");
  }

  /** The same MP4 with its mdat box cut to half (its index, the moov box after it, kept whole). */
  static byte[] withHalfTheMediaData(byte[] mp4) {
    ByteBuffer in = ByteBuffer.wrap(mp4);
    ByteBuffer out = ByteBuffer.allocate(mp4.length);
    while (in.remaining() >= 8) {
      int start = in.position();
      int size = in.getInt(start);
      String type = new String(mp4, start + 4, 4, java.nio.charset.StandardCharsets.US_ASCII);
      if (type.equals("mdat")) {
        int kept = 8 + (size - 8) / 2;
        out.putInt(kept).put(mp4, start + 4, kept - 4);
      } else {
        out.put(mp4, start, size);
      }
      in.position(start + size);
    }
    return Arrays.copyOf(out.array(), out.position());
  }
}

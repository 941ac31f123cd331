package io.worldring.datasets.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MP4, GIF and frame-directory input: frame counts and sizes, real pixels, composition, uniform sampling. */
class VideoReadersTest {
  @TempDir
  static Path media;

  static Path mp4() {
    Path p = media.resolve(SampleMedia.MP4);
    return Files.exists(p) ? p : SampleMedia.extract(SampleMedia.MP4, media);
  }

  static Path gif() {
    Path p = media.resolve(SampleMedia.GIF);
    return Files.exists(p) ? p : SampleMedia.extract(SampleMedia.GIF, media);
  }

  static double meanBrightness(BufferedImage img, int x0, int y0, int w, int h) {
    double sum = 0;
    for (int y = y0; y < y0 + h; y++) {
      for (int x = x0; x < x0 + w; x++) {
        int p = img.getRGB(x, y);
        sum += ((p >> 16) & 0xff) + ((p >> 8) & 0xff) + (p & 0xff);
      }
    }
    return sum / (3.0 * w * h);
  }

  static double meanAbsDifference(BufferedImage a, BufferedImage b) {
    double sum = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        int p = a.getRGB(x, y);
        int q = b.getRGB(x, y);
        for (int s = 0; s <= 16; s += 8) {
          sum += Math.abs(((p >> s) & 0xff) - ((q >> s) & 0xff));
        }
      }
    }
    return sum / (3.0 * a.getWidth() * a.getHeight());
  }

  @Test
  void mp4DecodesAll36FramesOfRealPicture() {
    VideoReader reader = VideoReader.open(mp4());
    assertTrue(reader instanceof Mp4Reader);
    assertEquals(36, reader.frameCount());
    long t0 = System.nanoTime();
    List<BufferedImage> frames = reader.readAll();
    System.out.printf("mp4: %d frames of %dx%d decoded in %.0f ms%n", frames.size(), frames.get(0).getWidth(), frames.get(0).getHeight(),
        (System.nanoTime() - t0) / 1e6);
    assertEquals(36, frames.size());
    int changed = 0;
    for (int i = 0; i < frames.size(); i++) {
      BufferedImage f = frames.get(i);
      assertEquals(320, f.getWidth());
      assertEquals(240, f.getHeight());
      double centre = meanBrightness(f, 120, 80, 80, 80);
      assertTrue(centre > 20 && centre < 250, "frame " + i + " centre is neither black nor blank: " + centre);
      if (i > 0 && meanAbsDifference(frames.get(i - 1), f) > 0.5) {
        changed++;
      }
    }
    assertTrue(changed >= 30, "consecutive frames differ (" + changed + " of 35 pairs)");
    assertTrue(meanAbsDifference(frames.get(0), frames.get(35)) > 5, "the clip moves from its first to its last frame");
  }

  @Test
  void mp4ColoursAreInRgbOrder() {
    List<BufferedImage> one = new ArrayList<>();
    VideoReader.open(mp4()).read(new int[] {0}, (img, i) -> one.add(img));
    BufferedImage f = one.get(0);
    double r = 0;
    double b = 0;
    for (int y = 140; y < 180; y++) { // the terracotta flower pot in the middle of the first frame
      for (int x = 125; x < 185; x++) {
        r += (f.getRGB(x, y) >> 16) & 0xff;
        b += f.getRGB(x, y) & 0xff;
      }
    }
    assertTrue(r - b > 30 * 60 * 40, "the pot is red-brown, not blue: mean red " + r / 2400 + ", blue " + b / 2400);
  }

  @Test
  void videoFramesAreSampledUniformlyAndCropped() {
    List<Frame> frames = VisionInput.video(mp4(), 8, 32);
    assertEquals(8, frames.size());
    assertEquals(32, frames.get(0).size());
    List<Integer> seen = new ArrayList<>();
    VideoReader.open(mp4()).read(FrameSampling.uniform(36, 8), (img, i) -> seen.add(i));
    assertEquals(List.of(0, 5, 10, 15, 20, 25, 30, 35), seen);
    assertEquals(36, VisionInput.video(gif(), 100, 16).size(), "fewer frames than the maximum: all of them");
  }

  @Test
  void uniformSamplingIsLwmsLinspace() {
    assertArrayEquals(new int[] {0, 16, 33, 49, 66, 82, 99}, FrameSampling.uniform(100, 7)); // numpy linspace(0, 99, 7).astype(int)
    assertArrayEquals(new int[] {0, 5, 10, 15, 20, 25, 30, 35}, FrameSampling.uniform(36, 8));
    assertArrayEquals(new int[] {0, 1, 2}, FrameSampling.uniform(3, 10));
    assertArrayEquals(new int[] {0}, FrameSampling.uniform(5, 1));
    assertArrayEquals(new int[] {0, 4}, FrameSampling.uniform(5, 2));
  }

  @Test
  void gifFramesAreAllThereAndMove() {
    VideoReader reader = VideoReader.open(gif());
    assertEquals(36, reader.frameCount());
    List<BufferedImage> frames = reader.readAll();
    assertEquals(36, frames.size());
    for (BufferedImage f : frames) {
      assertEquals(200, f.getWidth());
      assertEquals(150, f.getHeight());
    }
    assertTrue(meanBrightness(frames.get(0), 0, 0, 200, 150) > 20, "not black");
    assertTrue(meanAbsDifference(frames.get(0), frames.get(9)) > 0.5, "the cradle moves");
  }

  @Test
  void gifFramesAreComposedWithOffsetsTransparencyAndDisposal(@TempDir Path dir) throws IOException {
    int t = GifWriting.TRANSPARENT;
    int[][] red = new int[8][8];
    for (int[] row : red) {
      java.util.Arrays.fill(row, 1);
    }
    Path file = dir.resolve("composed.gif");
    GifWriting.write(file, 8, 8,
        new GifWriting.Part(red, 0, 0, "none"),
        new GifWriting.Part(new int[][] {{t, 2}, {2, 2}}, 3, 3, "restoreToBackgroundColor"),
        new GifWriting.Part(new int[][] {{3}}, 0, 0, "restoreToPrevious"),
        new GifWriting.Part(new int[][] {{4}}, 7, 7, "none"));
    List<BufferedImage> frames = VideoReader.open(file).readAll();
    assertEquals(4, frames.size());
    for (BufferedImage f : frames) {
      assertEquals(8, f.getWidth(), "every frame is the whole logical screen");
      assertEquals(8, f.getHeight());
    }
    int r = 0xFF0000;
    int g = 0x00FF00;
    int background = GifWriting.PALETTE[GifWriting.BACKGROUND];
    // frame 1: the 2x2 patch drawn at (3, 3) over the red; its transparent corner keeps the red
    assertPixel(frames.get(1), 3, 3, r);
    assertPixel(frames.get(1), 4, 3, g);
    assertPixel(frames.get(1), 3, 4, g);
    assertPixel(frames.get(1), 4, 4, g);
    assertPixel(frames.get(1), 0, 0, r);
    // frame 2: the patch's rectangle was cleared to the background colour; blue drawn at (0, 0)
    assertPixel(frames.get(2), 3, 3, background);
    assertPixel(frames.get(2), 4, 4, background);
    assertPixel(frames.get(2), 0, 0, 0x0000FF);
    assertPixel(frames.get(2), 5, 5, r);
    // frame 3: the blue was undone (restore to previous); white at (7, 7); the cleared square stays cleared
    assertPixel(frames.get(3), 0, 0, r);
    assertPixel(frames.get(3), 3, 3, background);
    assertPixel(frames.get(3), 7, 7, 0xFFFFFF);
    assertPixel(frames.get(3), 6, 6, r);
  }

  static void assertPixel(BufferedImage img, int x, int y, int rgb24) {
    assertEquals(String.format("%06x", rgb24), String.format("%06x", img.getRGB(x, y) & 0xffffff), "pixel (" + x + ", " + y + ")");
  }

  @Test
  void aDirectoryOfFramesIsReadInNaturalOrder(@TempDir Path dir) throws IOException {
    int[] colours = {0xFF0000, 0x00FF00, 0x0000FF};
    String[] names = {"f1.png", "f2.jpg", "f10.png"};
    for (int i = 0; i < 3; i++) {
      Frame.filled(16, colours[i]).writePng(dir.resolve(names[i]).getFileName().toString().endsWith(".jpg")
          ? dir.resolve("tmp.png") : dir.resolve(names[i]));
      if (names[i].endsWith(".jpg")) {
        javax.imageio.ImageIO.write(Frame.filled(16, colours[i]).toImage(), "jpg", dir.resolve(names[i]).toFile());
        Files.delete(dir.resolve("tmp.png"));
      }
    }
    Files.writeString(dir.resolve("notes.txt"), "not a frame");
    ImageSequenceReader reader = (ImageSequenceReader) VideoReader.open(dir);
    assertEquals(List.of("f1.png", "f2.jpg", "f10.png"), reader.files().stream().map(p -> p.getFileName().toString()).toList());
    List<Frame> frames = VisionInput.video(dir, 10, 8);
    assertEquals(3, frames.size());
    assertEquals(0xFF0000, frames.get(0).rgb24(4, 4));
    assertEquals(0x0000FF, frames.get(2).rgb24(4, 4));
    int green = frames.get(1).rgb24(4, 4);
    assertTrue(((green >> 8) & 0xff) > 200 && (green >> 16) < 40, "the JPEG frame is green: " + Integer.toHexString(green));
  }
}

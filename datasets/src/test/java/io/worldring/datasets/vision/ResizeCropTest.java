package io.worldring.datasets.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Short side resized to the frame, centre cropped; area averaging when shrinking; frames to images and back. */
class ResizeCropTest {
  /** Columns (or rows) in three equal bands of red, green, blue. */
  static BufferedImage bands(int w, int h, boolean across) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] colours = {0xFF0000, 0x00FF00, 0x0000FF};
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, colours[across ? x * 3 / w : y * 3 / h]);
      }
    }
    return img;
  }

  @Test
  void landscapeKeepsTheMiddleColumnsAndPortraitTheMiddleRows() {
    for (boolean landscape : new boolean[] {true, false}) {
      BufferedImage img = landscape ? bands(300, 100, true) : bands(100, 300, false);
      Frame f = ResizeCrop.toFrame(img, 10);
      assertEquals(10, f.size());
      for (int y = 0; y < 10; y++) {
        for (int x = 0; x < 10; x++) {
          assertEquals(0x00FF00, f.rgb24(y, x), "only the middle band survives the crop, at (" + x + ", " + y + ")");
        }
      }
    }
  }

  @Test
  void shrinkingAveragesEachPixelsFootprint() {
    BufferedImage img = new BufferedImage(200, 100, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 100; y++) {
      for (int x = 0; x < 200; x++) {
        img.setRGB(x, y, x << 16 | y << 8); // red = x, green = y
      }
    }
    Frame f = ResizeCrop.toFrame(img, 10); // 200x100 -> 20x10 (each output pixel 10x10 source pixels), crop from x = 5
    double worst = 0;
    for (int y = 0; y < 10; y++) {
      for (int x = 0; x < 10; x++) {
        double red = (x + 5) * 10 + 4.5; // mean of source columns (x+5)*10 .. (x+5)*10+9
        double green = y * 10 + 4.5;
        worst = Math.max(worst, Math.abs(f.get(0, y, x) - (red / 127.5 - 1)));
        worst = Math.max(worst, Math.abs(f.get(1, y, x) - (green / 127.5 - 1)));
        assertEquals(-1f, f.get(2, y, x), 1e-6);
      }
    }
    assertTrue(worst < 1e-5, "largest difference from the exact box average: " + worst);
  }

  @Test
  void fractionalFootprintsWeighPartialPixels() {
    BufferedImage img = new BufferedImage(3, 3, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, 0xFF0000); // one red pixel in the corner of a black 3x3 image
    Frame f = ResizeCrop.toFrame(img, 2); // each output pixel covers 1.5 x 1.5 source pixels
    double expected = 255.0 * (1.0 / 2.25) / 127.5 - 1; // the red pixel fills 1 of 2.25 covered
    assertEquals(expected, f.get(0, 0, 0), 1e-5);
    assertEquals(-1, f.get(0, 1, 1), 1e-6, "the far pixel sees none of it");
  }

  @Test
  void enlargingInterpolatesAndKeepsTheCorners() {
    BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, 0x000000);
    img.setRGB(1, 0, 0xFF0000);
    img.setRGB(0, 1, 0x000000);
    img.setRGB(1, 1, 0xFF0000);
    Frame f = ResizeCrop.toFrame(img, 8);
    assertEquals(0x000000, f.rgb24(0, 0));
    assertEquals(0xFF0000, f.rgb24(0, 7));
    for (int x = 1; x < 8; x++) {
      assertTrue(f.get(0, 3, x) >= f.get(0, 3, x - 1), "red rises left to right");
    }
  }

  @Test
  void lwmRoundsTheLongSideDown() {
    BufferedImage img = new BufferedImage(105, 100, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 100; y++) {
      for (int x = 0; x < 105; x++) {
        img.setRGB(x, y, x << 16); // red = x
      }
    }
    Frame f = ResizeCrop.toFrame(img, 10); // long side int(10 * 105 / 100) = 10, not 11: nothing cropped, 10.5 columns per pixel
    double firstColumn = (45 + 0.5 * 10) / 10.5; // columns 0..9 whole, half of column 10
    assertEquals(firstColumn / 127.5 - 1, f.get(0, 0, 0), 1e-5);
    double lastColumn = (0.5 * 94 + 95 + 96 + 97 + 98 + 99 + 100 + 101 + 102 + 103 + 104) / 10.5; // from 94.5 to 105
    assertEquals(lastColumn / 127.5 - 1, f.get(0, 0, 9), 1e-5);
  }

  @Test
  void bundledPhotosBecomeFrames(@TempDir Path dir) {
    List<Path> photos = SampleMedia.extractImages(dir);
    assertEquals(9, photos.size());
    for (Path p : photos) {
      Frame f = VisionInput.image(p, 32);
      assertEquals(32, f.size());
      for (float v : f.rgb()) {
        assertTrue(v >= -1 && v <= 1, p + " value " + v);
      }
    }
    // camera.png is 8-bit grey: channels equal, and read as stored (getRGB would brighten it)
    BufferedImage camera = ImageFiles.read(dir.resolve("camera.png"));
    Frame full = Frame.fromImage(camera);
    int raw = camera.getRaster().getSample(100, 200, 0);
    assertEquals(raw, Frame.toByte(full.get(0, 200, 100)));
    assertEquals(full.get(0, 200, 100), full.get(2, 200, 100));
  }

  @Test
  void framesRoundTripThroughImagesAndPng(@TempDir Path dir) {
    float[] rgb = new float[3 * 4 * 4];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = Frame.unit((i * 37) % 256);
    }
    Frame f = new Frame(4, rgb);
    assertArrayEquals(rgb, Frame.fromImage(f.toImage()).rgb(), 1e-6f);
    Path png = dir.resolve("f.png");
    f.writePng(png);
    assertArrayEquals(rgb, VisionInput.image(png, 4).rgb(), 1e-6f);
    assertEquals(0, Frame.toByte(-1.3f), "decoders overshoot: clamped");
    assertEquals(255, Frame.toByte(1.2f));
  }
}

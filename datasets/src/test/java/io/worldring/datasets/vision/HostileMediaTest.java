package io.worldring.datasets.vision;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.BadInputException;
import io.worldring.model.fuzz.CleanFailure;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images and videos whose headers claim sizes a decoder would allocate (or loop on) without bound: each is
 * refused, naming the file and what is wrong, before the decoder runs.
 */
class HostileMediaTest {
  /** Far less than the gigabytes each header below would make a decoder allocate. */
  static final long ALLOCATION_LIMIT = 64L << 20;

  @TempDir
  Path dir;

  BadInputException refused(String name, byte[] bytes, String... parts) throws IOException {
    Path f = Files.write(dir.resolve(name), bytes);
    BadInputException e = CleanFailure.refused(BadInputException.class, f.toString(), ALLOCATION_LIMIT, () -> VisionInput.frames(f, 4, 8));
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
    }
    return e;
  }

  @Test
  void pngsClaimingBillionsOfPixels() throws IOException {
    byte[] png = MediaFuzzTest.image(MediaFuzzTest.picture(4, 3, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("seed.png"));
    for (int[] size : new int[][] {{Integer.MAX_VALUE, Integer.MAX_VALUE}, {65_535, 65_535}, {1 << 25, 2}}) {
      byte[] hostile = png.clone();
      ByteBuffer.wrap(hostile).putInt(16, size[0]).putInt(20, size[1]); // IHDR width and height, big-endian (its CRC is not checked)
      refused("big.png", hostile, "the image is " + size[0] + "x" + size[1] + " pixels");
    }
  }

  @Test
  void gifsClaimingBillionsOfPixels() throws IOException {
    Path seed = dir.resolve("seed.gif");
    GifWriting.write(seed, 2, 2, new GifWriting.Part(new int[][] {{1, 2}, {3, 4}}, 0, 0, "none"));
    byte[] gif = Files.readAllBytes(seed);
    byte[] screen = gif.clone();
    ByteBuffer.wrap(screen).order(ByteOrder.LITTLE_ENDIAN).putShort(6, (short) 0xffff).putShort(8, (short) 0xffff);
    refused("screen.gif", screen, "the canvas of frame 0 is 65535x65535 pixels");
    byte[] frame = gif.clone();
    int descriptor = imageDescriptor(gif);
    ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).putShort(descriptor + 5, (short) 0xffff).putShort(descriptor + 7, (short) 0xffff);
    refused("frame.gif", frame, "frame 0 is 65535x65535 pixels");
    byte[] offset = gif.clone();
    ByteBuffer.wrap(offset).order(ByteOrder.LITTLE_ENDIAN).putShort(descriptor + 1, (short) 0xffff).putShort(descriptor + 3, (short) 0xffff);
    refused("offset.gif", offset, "the canvas of frame 0 is 65537x65537 pixels");
  }

  /** The byte where the first image descriptor (0x2C) starts: after the header, the colour table and any extensions. */
  static int imageDescriptor(byte[] gif) {
    int p = 13 + ((gif[10] & 0x80) != 0 ? 3 << ((gif[10] & 7) + 1) : 0);
    while (gif[p] == 0x21) { // an extension: its label, then sub-blocks up to an empty one
      p += 2;
      while (gif[p] != 0) {
        p += (gif[p] & 0xff) + 1;
      }
      p++;
    }
    assertTrue(gif[p] == 0x2C, "an image descriptor at " + p);
    return p;
  }

  @Test
  void mp4sWhoseBoxesDoNotFit() throws IOException {
    byte[] mp4 = MediaFuzzTest.mp4(dir.resolve("seed.mp4"), 2, 16, 16);
    // A last box of 64-bit size 0: jcodec's format probe stepped backwards over it for ever.
    byte[] loop = Arrays.copyOf(mp4, mp4.length + 16);
    ByteBuffer.wrap(loop).putInt(mp4.length, 1).put(mp4.length + 4, "free".getBytes(StandardCharsets.US_ASCII));
    refused("loop.mp4", loop, "cannot open as MP4", "'free'", "has size 0");
    // A track header overrunning its track: jcodec re-read the track's bytes as boxes for ever.
    byte[] overrun = mp4.clone();
    ByteBuffer.wrap(overrun).putInt(box(mp4, "tkhd"), 0x7fff_ffff);
    refused("overrun.mp4", overrun, "'tkhd'", "does not fit", "its parent");
    // A sample-size table counting 2^31 entries in a few bytes: jcodec allocated them first.
    byte[] table = mp4.clone();
    ByteBuffer.wrap(table).putInt(box(mp4, "stsz") + 16, 0x8000_0000);
    refused("table.mp4", table, "'stsz'", "counts 2147483648 entries");
  }

  /** Where the (first) box of {@code type} starts. */
  static int box(byte[] mp4, String type) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    for (int i = 4; i + 4 <= mp4.length; i++) {
      if (Arrays.equals(mp4, i, i + 4, t, 0, 4)) {
        return i - 4;
      }
    }
    throw new AssertionError("no " + type + " box");
  }
}

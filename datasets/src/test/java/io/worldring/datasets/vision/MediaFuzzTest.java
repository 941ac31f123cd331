package io.worldring.datasets.vision;

import io.worldring.model.BadInputException;
import io.worldring.model.fuzz.CleanFailure;
import io.worldring.model.fuzz.FuzzCorpus;
import io.worldring.model.fuzz.FuzzSeed;
import io.worldring.model.fuzz.Mutations.Mutant;
import io.worldring.model.fuzz.Mutations;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.jcodec.api.SequenceEncoder;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Picture;

/**
 * Images (PNG, JPEG) and videos (GIF, MP4) mutated from small valid ones: read as frames, or refused naming the
 * file; never another exception, never a hang, never a decoder allocating for the size a damaged header claims.
 */
class MediaFuzzTest {
  /**
   * Allocation over the whole read (not at once): a few frames of the largest image a reader accepts
   * ({@link ImageFiles#MAX_PIXELS}; a tiny GIF or PNG can legitimately claim that many), far below what a hostile
   * header claims (2^32 pixels and more). What a decoder cannot allocate at all shows as an OutOfMemoryError.
   */
  static final long ALLOCATION_LIMIT = 4L << 30;
  private static Path dir;
  private static List<byte[]> pngs;
  private static byte[] jpeg;
  private static byte[] gif;
  private static byte[] mp4;

  @BeforeContainer
  static void seed() throws IOException {
    dir = Files.createTempDirectory("media-fuzz");
    pngs = List.of(image(picture(12, 10, BufferedImage.TYPE_INT_RGB), "png"), image(picture(9, 7, BufferedImage.TYPE_BYTE_GRAY), "png"),
        image(picture(8, 8, BufferedImage.TYPE_INT_ARGB), "png"), image(picture(10, 6, BufferedImage.TYPE_BYTE_INDEXED), "png"));
    jpeg = image(picture(16, 16, BufferedImage.TYPE_INT_RGB), "jpg");
    Path g = dir.resolve("seed.gif");
    int t = GifWriting.TRANSPARENT;
    GifWriting.write(g, 6, 5,
        new GifWriting.Part(new int[][] {{1, 1, 2}, {2, 3, 4}}, 0, 0, "none"),
        new GifWriting.Part(new int[][] {{t, 2}, {2, 2}}, 3, 2, "restoreToBackgroundColor"),
        new GifWriting.Part(new int[][] {{3}}, 5, 4, "restoreToPrevious"));
    gif = Files.readAllBytes(g);
    mp4 = mp4(dir.resolve("seed.mp4"), 4, 32, 16);
    for (Path p : List.of(write("warm.png", pngs.get(0)), write("warm.jpg", jpeg), write("warm.gif", gif), write("warm.mp4", mp4))) {
      VisionInput.frames(p, 4, 8); // the seeds are valid, and the decoders' classes are loaded before anything is measured
    }
  }

  @AfterContainer
  static void clean() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  static BufferedImage picture(int width, int height, int type) {
    BufferedImage img = new BufferedImage(width, height, type);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.setRGB(x, y, (x * 40 % 256) << 16 | (y * 50 % 256) << 8 | ((x + y) * 30 % 256) | (x == y ? 0x40 : 0xff) << 24);
      }
    }
    return img;
  }

  static byte[] image(BufferedImage img, String format) throws IOException {
    return image(img, format, dir.resolve("seed." + format));
  }

  static byte[] image(BufferedImage img, String format, Path f) throws IOException {
    if (!ImageIO.write(img, format, f.toFile())) {
      throw new IOException("no " + format + " writer");
    }
    return Files.readAllBytes(f);
  }

  /** An H.264 MP4 of {@code frames} frames of {@code width x height} (a moving gradient), written by jcodec to {@code file}. */
  static byte[] mp4(Path file, int frames, int width, int height) throws IOException {
    File f = file.toFile();
    SequenceEncoder encoder = SequenceEncoder.createSequenceEncoder(f, 25);
    for (int i = 0; i < frames; i++) {
      Picture p = Picture.create(width, height, ColorSpace.RGB);
      byte[] rgb = p.getPlaneData(0);
      for (int k = 0; k < rgb.length; k++) {
        rgb[k] = (byte) ((k * 7 + i * 31) % 256 - 128);
      }
      encoder.encodeNativeFrame(p);
    }
    encoder.finish();
    return Files.readAllBytes(file);
  }

  static Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  static void check(String format, String name, Mutant m) throws IOException {
    Path f = write(name, m.bytes());
    if (CleanFailure.check(BadInputException.class, f.toString(), ALLOCATION_LIMIT, () -> VisionInput.frames(f, 4, 8)) != null) {
      FuzzCorpus.keep(format, Integer.toHexString(Arrays.hashCode(m.bytes())) + "-" + name, m);
    }
  }

  @Property(tries = 300, seed = FuzzSeed.VALUE)
  void png(@ForAll("pngMutants") Mutant m) throws IOException {
    check("png", "image.png", m);
  }

  @Provide
  Arbitrary<Mutant> pngMutants() {
    return Arbitraries.integers().between(0, pngs.size() - 1).flatMap(i -> Mutations.bytes(pngs.get(i), 40));
  }

  @Property(tries = 200, seed = FuzzSeed.VALUE)
  void jpeg(@ForAll("jpegMutants") Mutant m) throws IOException {
    check("jpeg", "image.jpg", m);
  }

  @Provide
  Arbitrary<Mutant> jpegMutants() {
    return Mutations.bytes(jpeg, 200);
  }

  @Property(tries = 300, seed = FuzzSeed.VALUE)
  void gif(@ForAll("gifMutants") Mutant m) throws IOException {
    check("gif", "video.gif", m);
  }

  @Provide
  Arbitrary<Mutant> gifMutants() {
    return Mutations.bytes(gif, 64);
  }

  @Property(tries = 300, seed = FuzzSeed.VALUE)
  void mp4(@ForAll("mp4Mutants") Mutant m) throws IOException {
    check("mp4", "video.mp4", m);
  }

  @Provide
  Arbitrary<Mutant> mp4Mutants() {
    return Mutations.bytes(mp4, mp4.length);
  }
}

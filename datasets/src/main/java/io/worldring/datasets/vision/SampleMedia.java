package io.worldring.datasets.vision;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The CC0 / public-domain photos and the BSD-licensed clips shipped inside the project (licences in
 * {@code media/NOTICE.md} next to them), for tokenizer training, demos and tests without a download.
 */
public final class SampleMedia {
  /** scikit-image sample photos: 512x512 (astronaut, brick, camera, grass, gravel; the last four grey), chelsea 451x300, coffee 600x400, horse 400x328, rocket 640x427. */
  public static final List<String> IMAGES = List.of("astronaut.png", "brick.png", "camera.png", "chelsea.png", "coffee.png",
      "grass.png", "gravel.png", "horse.png", "rocket.jpg");
  /** 36 H.264 frames, 320x240. */
  public static final String MP4 = "realshort.mp4";
  /** 36 frames, 200x150. */
  public static final String GIF = "newtonscradle.gif";

  private SampleMedia() {}

  public static InputStream open(String name) {
    InputStream in = SampleMedia.class.getResourceAsStream("media/" + name);
    if (in == null) {
      throw new IllegalStateException("bundled media " + name + " is missing from the jar");
    }
    return in;
  }

  /** Copies a bundled file into {@code dir} (decoders want a file) and returns its path there. */
  public static Path extract(String name, Path dir) {
    Path out = dir.resolve(name);
    try (InputStream in = open(name)) {
      Files.createDirectories(dir);
      Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract " + name + " to " + dir, e);
    }
  }

  /** Every bundled photo, extracted into {@code dir}. */
  public static List<Path> extractImages(Path dir) {
    return IMAGES.stream().map(n -> extract(n, dir)).toList();
  }
}

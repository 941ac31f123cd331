package io.worldring.ops.vision;

import io.worldring.datasets.vision.Frame;
import io.worldring.model.BadInputException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Frames as one image: a single frame as it is; n frames left to right, top to bottom, in a grid of
 * {@code ceil(sqrt(n))} columns and as many rows as needed (cells past the last frame are black).
 */
public final class FrameGrid {
  private FrameGrid() {}

  public static int columns(int frames) {
    return (int) Math.ceil(Math.sqrt(frames));
  }

  public static int rows(int frames) {
    return (frames + columns(frames) - 1) / columns(frames);
  }

  public static BufferedImage of(List<Frame> frames) {
    if (frames.isEmpty()) {
      throw new IllegalArgumentException("no frames");
    }
    int s = frames.get(0).size();
    int cols = columns(frames.size());
    BufferedImage out = new BufferedImage(cols * s, rows(frames.size()) * s, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < frames.size(); i++) {
      Frame f = frames.get(i);
      if (f.size() != s) {
        throw new IllegalArgumentException("frame " + i + " is " + f.size() + " pixels wide, frame 0 is " + s);
      }
      int[] packed = f.toImage().getRGB(0, 0, s, s, null, 0, s);
      out.setRGB((i % cols) * s, (i / cols) * s, s, s, packed, 0, s);
    }
    return out;
  }

  /** Writes the grid as a PNG, through a temporary file so that {@code file} is never half written. */
  public static void writePng(List<Frame> frames, Path file) {
    BufferedImage img = of(frames);
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = parent.resolve(file.getFileName() + ".partial");
      if (!ImageIO.write(img, "png", tmp.toFile())) {
        throw new IllegalStateException("this JVM has no PNG writer");
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot write (" + e.getMessage() + ")", e);
    }
  }
}

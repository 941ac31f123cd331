package io.worldring.datasets.vision;

import io.worldring.model.BadInputException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ObjIntConsumer;

/**
 * A video file (or a directory of frames) read front to back. Opening reads only what is needed to count
 * the frames; {@link #read} decodes up to the last requested frame and hands over only the requested ones,
 * so a long video is never held in memory whole. Errors name the file and the frame.
 */
public interface VideoReader {
  Path path();

  int frameCount();

  /**
   * Decodes the frames at {@code indices} (ascending, each in {@code [0, frameCount)}) and gives each to
   * {@code sink} with its index, in order.
   */
  void read(int[] indices, ObjIntConsumer<BufferedImage> sink);

  /** Every frame (for short clips and tests). */
  default List<BufferedImage> readAll() {
    int[] all = new int[frameCount()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    List<BufferedImage> out = new ArrayList<>();
    read(all, (img, i) -> out.add(img));
    return out;
  }

  /** By kind: a directory of PNG/JPEG frames, an .mp4/.m4v/.mov file, or a .gif. */
  static VideoReader open(Path path) {
    if (Files.isDirectory(path)) {
      return ImageSequenceReader.open(path);
    }
    if (!Files.isRegularFile(path)) {
      throw new BadInputException(path + ": no such video file or frame directory");
    }
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".mp4") || name.endsWith(".m4v") || name.endsWith(".mov")) {
      return Mp4Reader.open(path);
    }
    if (name.endsWith(".gif")) {
      return GifReader.open(path);
    }
    throw new BadInputException(path + ": not a video this reader knows (.mp4, .m4v, .mov, .gif, or a directory of .png/.jpg frames)");
  }

  /** Checks requested indices once, for every implementation. */
  static void checkIndices(Path path, int[] indices, int frameCount) {
    for (int k = 0; k < indices.length; k++) {
      if (indices[k] < 0 || indices[k] >= frameCount || (k > 0 && indices[k] <= indices[k - 1])) {
        throw new IllegalArgumentException(path + ": frame indices must be ascending within [0, " + frameCount + "), got "
            + java.util.Arrays.toString(indices));
      }
    }
  }
}

package io.worldring.datasets.vision;

import io.worldring.model.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Files to frames ready for a vision tokenizer, as LWM prepares them: an image or each sampled video frame
 * resized on its short side and centre-cropped to {@code size x size}; videos sampled uniformly to at most
 * {@code maxFrames} frames.
 */
public final class VisionInput {
  private VisionInput() {}

  /** Any image ImageIO reads, as one frame. */
  public static Frame image(Path file, int size) {
    return ResizeCrop.toFrame(ImageFiles.read(file), size);
  }

  /** A video (.mp4, .gif, or a directory of frames), sampled uniformly to at most {@code maxFrames}. */
  public static List<Frame> video(Path path, int maxFrames, int size) {
    VideoReader reader = VideoReader.open(path);
    int[] keep = FrameSampling.uniform(reader.frameCount(), maxFrames);
    List<Frame> frames = new ArrayList<>(keep.length);
    reader.read(keep, (img, i) -> frames.add(ResizeCrop.toFrame(img, size)));
    return frames;
  }

  /** An image as one frame, anything else as a video. */
  public static List<Frame> frames(Path path, int maxFrames, int size) {
    return isVideo(path) ? video(path, maxFrames, size) : List.of(image(path, size));
  }

  /** A directory, or a file named .mp4/.m4v/.mov/.gif (a GIF is read as a video, even of one frame). */
  public static boolean isVideo(Path path) {
    if (Files.isDirectory(path)) {
      return true;
    }
    if (path.getFileName() == null) {
      throw new BadInputException(path + ": not a file");
    }
    String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".mp4") || n.endsWith(".m4v") || n.endsWith(".mov") || n.endsWith(".gif");
  }
}

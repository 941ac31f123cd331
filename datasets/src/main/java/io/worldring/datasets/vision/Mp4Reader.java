package io.worldring.datasets.vision;

import io.worldring.model.BadInputException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.ObjIntConsumer;
import org.jcodec.api.FrameGrab;
import org.jcodec.api.JCodecException;
import org.jcodec.common.DemuxerTrackMeta;
import org.jcodec.common.io.FileChannelWrapper;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Picture;
import org.jcodec.common.model.Rect;
import org.jcodec.scale.ColorUtil;
import org.jcodec.scale.Transform;

/**
 * MP4 (H.264) through jcodec, pure Java. The frame count comes from the container; a file whose samples end
 * before that count (cut short with its index intact) is an error rather than a shorter video, and so is
 * anything jcodec throws (a damaged stream fails with arbitrary runtime exceptions). The box structure is
 * checked first ({@link Mp4Boxes}): jcodec loops for ever or allocates without bound on some damaged ones.
 */
public final class Mp4Reader implements VideoReader {
  private final Path path;
  private final int frameCount;

  private Mp4Reader(Path path, int frameCount) {
    this.path = path;
    this.frameCount = frameCount;
  }

  public static Mp4Reader open(Path path) {
    Mp4Boxes.check(path); // before jcodec, which trusts every box size
    try (FileChannelWrapper ch = NIOUtils.readableChannel(path.toFile())) {
      DemuxerTrackMeta meta = FrameGrab.createFrameGrab(ch).getVideoTrack().getMeta();
      int n = meta == null ? 0 : meta.getTotalFrames();
      if (n < 1) {
        throw new BadInputException(path + ": the MP4 index lists no video frames");
      }
      return new Mp4Reader(path, n);
    } catch (IOException | JCodecException | RuntimeException e) {
      throw MediaErrors.wrap(path, "cannot open as MP4 (truncated or not an MP4?)", e);
    }
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public int frameCount() {
    return frameCount;
  }

  @Override
  public void read(int[] indices, ObjIntConsumer<BufferedImage> sink) {
    VideoReader.checkIndices(path, indices, frameCount);
    if (indices.length == 0) {
      return;
    }
    int frame = 0;
    try (FileChannelWrapper ch = NIOUtils.readableChannel(path.toFile())) {
      FrameGrab grab = FrameGrab.createFrameGrab(ch);
      int next = 0;
      for (; next < indices.length; frame++) {
        Picture picture = grab.getNativeFrame(); // every frame up to the last wanted: later frames refer to earlier ones
        if (picture == null) {
          throw new BadInputException(path + ": the video data ends after " + frame + " of the " + frameCount
              + " frames its index lists (truncated?)");
        }
        if (frame == indices[next]) {
          sink.accept(toImage(picture), frame);
          next++;
        }
      }
    } catch (IOException | JCodecException | RuntimeException e) {
      throw MediaErrors.wrap(path, "cannot decode frame " + frame + " (corrupt video?)", e);
    }
  }

  private static BufferedImage toImage(Picture picture) {
    Picture rgb = Picture.create(picture.getWidth(), picture.getHeight(), ColorSpace.RGB);
    Transform toRgb = ColorUtil.getTransform(picture.getColor(), ColorSpace.RGB);
    toRgb.transform(picture, rgb);
    Rect crop = picture.getCrop(); // coded size is a multiple of 16; the crop is the picture
    int x0 = crop == null ? 0 : crop.getX();
    int y0 = crop == null ? 0 : crop.getY();
    int w = crop == null ? picture.getWidth() : crop.getWidth();
    int h = crop == null ? picture.getHeight() : crop.getHeight();
    byte[] data = rgb.getPlaneData(0); // [height, width, 3] interleaved R, G, B, each stored as value - 128
    int stride = picture.getWidth();
    int[] packed = new int[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int o = ((y0 + y) * stride + x0 + x) * 3;
        packed[y * w + x] = ((data[o] + 128) << 16) | ((data[o + 1] + 128) << 8) | (data[o + 2] + 128);
      }
    }
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, w, h, packed, 0, w);
    return img;
  }
}

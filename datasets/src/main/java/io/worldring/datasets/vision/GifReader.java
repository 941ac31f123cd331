package io.worldring.datasets.vision;

import io.worldring.model.BadInputException;
import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.ObjIntConsumer;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Animated GIF through javax.imageio, composed as a viewer shows it: ImageIO returns each frame's own
 * rectangle, which is drawn at its offset over the canvas left by the previous frame (transparent pixels
 * keep what was there), and afterwards disposed as the frame says: left as is, cleared to the background,
 * or restored to the canvas before it. Pixels no frame has painted show the background colour of the
 * global colour table (black if there is none).
 */
public final class GifReader implements VideoReader {
  private static final String STREAM_FORMAT = "javax_imageio_gif_stream_1.0";
  private static final String IMAGE_FORMAT = "javax_imageio_gif_image_1.0";

  private final Path path;
  private final int frameCount;

  private GifReader(Path path, int frameCount) {
    this.path = path;
    this.frameCount = frameCount;
  }

  public static GifReader open(Path path) {
    checkFraming(path);
    ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
    try (ImageInputStream in = ImageIO.createImageInputStream(path.toFile())) {
      reader.setInput(in, false, false);
      int n = reader.getNumImages(true);
      if (n < 1) {
        throw new BadInputException(path + ": the GIF holds no frames");
      }
      return new GifReader(path, n);
    } catch (IOException | RuntimeException e) {
      throw MediaErrors.wrap(path, "cannot read as GIF (truncated or not a GIF?)", e);
    } finally {
      reader.dispose();
    }
  }

  /**
   * A GIF starts with "GIF87a" or "GIF89a" and ends with the trailer byte 0x3B. Cut short, ImageIO reads the
   * frames that are complete and stops without a word, so a missing trailer is the sign of a truncated file.
   */
  private static void checkFraming(Path path) {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer head = ByteBuffer.allocate(6);
      ch.read(head, 0);
      String signature = new String(head.array(), 0, head.position(), java.nio.charset.StandardCharsets.ISO_8859_1);
      if (!signature.equals("GIF87a") && !signature.equals("GIF89a")) {
        throw new BadInputException(path + ": not a GIF (no GIF87a/GIF89a header)");
      }
      ByteBuffer last = ByteBuffer.allocate(1);
      if (ch.read(last, ch.size() - 1) != 1 || last.get(0) != 0x3B) {
        throw new BadInputException(path + ": the GIF does not end with its trailer byte (truncated?)");
      }
    } catch (IOException e) {
      throw MediaErrors.wrap(path, "cannot read", e);
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
    ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
    int frame = 0;
    try (ImageInputStream in = ImageIO.createImageInputStream(path.toFile())) {
      reader.setInput(in, false, false);
      Node screen = child(reader.getStreamMetadata().getAsTree(STREAM_FORMAT), "LogicalScreenDescriptor");
      int width = intAttr(screen, "logicalScreenWidth", 0);
      int height = intAttr(screen, "logicalScreenHeight", 0);
      int background = backgroundColour(reader.getStreamMetadata());
      BufferedImage canvas = null;
      int next = 0;
      for (; next < indices.length; frame++) {
        Node meta = reader.getImageMetadata(frame).getAsTree(IMAGE_FORMAT);
        Node box = child(meta, "ImageDescriptor");
        int left = intAttr(box, "imageLeftPosition", 0);
        int top = intAttr(box, "imageTopPosition", 0);
        int partWidth = intAttr(box, "imageWidth", 0);
        int partHeight = intAttr(box, "imageHeight", 0);
        // Before ImageIO allocates the frame, and the canvas it is drawn on: both as large as the header says.
        ImageFiles.checkSize(path, "frame " + frame, partWidth, partHeight);
        ImageFiles.checkSize(path, "the canvas of frame " + frame, Math.max(width, left + partWidth), Math.max(height, top + partHeight));
        BufferedImage part = reader.read(frame);
        if (canvas == null) { // a missing or zero logical screen: the first frame's extent
          canvas = new BufferedImage(Math.max(width, left + part.getWidth()), Math.max(height, top + part.getHeight()),
              BufferedImage.TYPE_INT_ARGB);
        }
        Node control = child(meta, "GraphicControlExtension");
        String disposal = control == null ? "none" : control.getAttributes().getNamedItem("disposalMethod").getNodeValue();
        BufferedImage before = "restoreToPrevious".equals(disposal) ? copy(canvas) : null;
        Graphics2D g = canvas.createGraphics();
        g.drawImage(part, left, top, null);
        g.dispose();
        if (frame == indices[next]) {
          sink.accept(flatten(canvas, background), frame);
          next++;
        }
        if ("restoreToBackgroundColor".equals(disposal)) {
          Graphics2D clear = canvas.createGraphics();
          clear.setComposite(AlphaComposite.Clear);
          clear.fillRect(left, top, part.getWidth(), part.getHeight());
          clear.dispose();
        } else if (before != null) {
          canvas = before;
        }
      }
    } catch (IOException | RuntimeException e) {
      throw MediaErrors.wrap(path, "cannot decode frame " + frame + " (truncated or corrupt GIF?)", e);
    } finally {
      reader.dispose();
    }
  }

  private static BufferedImage flatten(BufferedImage canvas, int background) {
    BufferedImage out = new BufferedImage(canvas.getWidth(), canvas.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setColor(new java.awt.Color(background));
    g.fillRect(0, 0, out.getWidth(), out.getHeight());
    g.drawImage(canvas, 0, 0, null);
    g.dispose();
    return out;
  }

  private static BufferedImage copy(BufferedImage img) {
    BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_ARGB);
    out.setData(img.getRaster());
    return out;
  }

  /** The background colour index looked up in the global colour table; black without one. */
  private static int backgroundColour(IIOMetadata stream) {
    Node root = stream.getAsTree(STREAM_FORMAT);
    Node table = child(root, "GlobalColorTable");
    if (table == null) {
      return 0;
    }
    int index = intAttr(table, "backgroundColorIndex", 0);
    for (Node e = table.getFirstChild(); e != null; e = e.getNextSibling()) {
      if (intAttr(e, "index", -1) == index) {
        return (intAttr(e, "red", 0) << 16) | (intAttr(e, "green", 0) << 8) | intAttr(e, "blue", 0);
      }
    }
    return 0;
  }

  private static Node child(Node parent, String name) {
    for (Node c = parent.getFirstChild(); c != null; c = c.getNextSibling()) {
      if (c.getNodeName().equals(name)) {
        return c;
      }
    }
    return null;
  }

  private static int intAttr(Node node, String name, int otherwise) {
    if (node == null) {
      return otherwise;
    }
    NamedNodeMap attrs = node.getAttributes();
    Node a = attrs == null ? null : attrs.getNamedItem(name);
    return a == null ? otherwise : Integer.parseInt(a.getNodeValue());
  }
}

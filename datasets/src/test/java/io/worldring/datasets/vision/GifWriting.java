package io.worldring.datasets.vision;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/** Writes small animated GIFs with chosen offsets, transparency and disposal, to test frame composition. */
final class GifWriting {
  /** The global colour table: 0 black, 1 red, 2 green, 3 blue, 4 white, 5 transparent, 6 the background colour. */
  static final int[] PALETTE = {0x000000, 0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF, 0x808080, 0x336699, 0x000000};
  static final int TRANSPARENT = 5;
  static final int BACKGROUND = 6;

  /** One frame: its pixels as palette indices [height][width], where it goes, how it is disposed. */
  record Part(int[][] indices, int left, int top, String disposal) {}

  private GifWriting() {}

  static void write(Path file, int width, int height, Part... parts) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    byte[] r = new byte[PALETTE.length];
    byte[] g = new byte[PALETTE.length];
    byte[] b = new byte[PALETTE.length];
    for (int i = 0; i < PALETTE.length; i++) {
      r[i] = (byte) (PALETTE[i] >> 16);
      g[i] = (byte) (PALETTE[i] >> 8);
      b[i] = (byte) PALETTE[i];
    }
    IndexColorModel palette = new IndexColorModel(8, PALETTE.length, r, g, b, TRANSPARENT);
    try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
      writer.setOutput(out);
      ImageWriteParam param = writer.getDefaultWriteParam();
      IIOMetadata stream = writer.getDefaultStreamMetadata(param);
      IIOMetadataNode streamRoot = (IIOMetadataNode) stream.getAsTree("javax_imageio_gif_stream_1.0");
      IIOMetadataNode screen = child(streamRoot, "LogicalScreenDescriptor");
      screen.setAttribute("logicalScreenWidth", Integer.toString(width));
      screen.setAttribute("logicalScreenHeight", Integer.toString(height));
      IIOMetadataNode table = child(streamRoot, "GlobalColorTable"); // the writer's default is a 256-entry table of its own
      while (table.getLength() > 0) {
        table.removeChild(table.item(0));
      }
      table.setAttribute("sizeOfGlobalColorTable", Integer.toString(PALETTE.length));
      table.setAttribute("backgroundColorIndex", Integer.toString(BACKGROUND));
      table.setAttribute("sortFlag", "FALSE");
      for (int i = 0; i < PALETTE.length; i++) {
        IIOMetadataNode entry = new IIOMetadataNode("ColorTableEntry");
        entry.setAttribute("index", Integer.toString(i));
        entry.setAttribute("red", Integer.toString((PALETTE[i] >> 16) & 0xff));
        entry.setAttribute("green", Integer.toString((PALETTE[i] >> 8) & 0xff));
        entry.setAttribute("blue", Integer.toString(PALETTE[i] & 0xff));
        table.appendChild(entry);
      }
      stream.setFromTree("javax_imageio_gif_stream_1.0", streamRoot);
      writer.prepareWriteSequence(stream);
      for (Part p : parts) {
        int h = p.indices().length;
        int w = p.indices()[0].length;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, palette);
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            img.getRaster().setSample(x, y, 0, p.indices()[y][x]);
          }
        }
        // new ImageTypeSpecifier(img) keeps our palette; createFromRenderedImage would give the stock 256-colour one
        IIOMetadata meta = writer.getDefaultImageMetadata(new ImageTypeSpecifier(img), param);
        IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree("javax_imageio_gif_image_1.0");
        IIOMetadataNode box = child(root, "ImageDescriptor");
        box.setAttribute("imageLeftPosition", Integer.toString(p.left()));
        box.setAttribute("imageTopPosition", Integer.toString(p.top()));
        box.setAttribute("interlaceFlag", "FALSE"); // the JDK garbles interlaced images of two rows
        IIOMetadataNode control = child(root, "GraphicControlExtension");
        control.setAttribute("disposalMethod", p.disposal());
        control.setAttribute("transparentColorFlag", "TRUE");
        control.setAttribute("transparentColorIndex", Integer.toString(TRANSPARENT));
        control.setAttribute("delayTime", "5");
        meta.setFromTree("javax_imageio_gif_image_1.0", root);
        writer.writeToSequence(new IIOImage(img, null, meta), param);
      }
      writer.endWriteSequence();
    } finally {
      writer.dispose();
    }
  }

  private static IIOMetadataNode child(IIOMetadataNode parent, String name) {
    for (int i = 0; i < parent.getLength(); i++) {
      if (parent.item(i).getNodeName().equals(name)) {
        return (IIOMetadataNode) parent.item(i);
      }
    }
    IIOMetadataNode n = new IIOMetadataNode(name);
    parent.appendChild(n);
    return n;
  }
}

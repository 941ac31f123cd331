package io.worldring.datasets.vision;

import io.worldring.model.BadInputException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads one image with any reader ImageIO has (PNG, JPEG, GIF, BMP, ...). A file that is no image, or is
 * cut short, is an error naming the file: ImageIO's JPEG reader only warns about a premature end and fills
 * the rest grey, so warnings count as errors here.
 */
public final class ImageFiles {
  /**
   * Images of more pixels are refused before decoding (an 8K frame has 33.2 million): a damaged or hostile
   * header can claim 2^31 x 2^31, and decoders allocate the whole raster first.
   */
  public static final long MAX_PIXELS = 1L << 25;

  private ImageFiles() {}

  /** Refuses a {@code width x height} image or frame beyond {@link #MAX_PIXELS}. */
  static void checkSize(Path file, String what, long width, long height) {
    if (width <= 0 || height <= 0 || width * height > MAX_PIXELS) {
      throw new BadInputException(file + ": " + what + " is " + width + "x" + height + " pixels, outside 1.." + MAX_PIXELS + " pixels");
    }
  }

  public static BufferedImage read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(file + ": no such image file");
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      if (in == null) {
        throw new BadInputException(file + ": cannot open for reading");
      }
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new BadInputException(file + ": not an image format ImageIO reads (PNG, JPEG, GIF, BMP)");
      }
      ImageReader reader = readers.next();
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      try {
        reader.setInput(in, true, true);
        checkSize(file, "the image", reader.getWidth(0), reader.getHeight(0));
        BufferedImage img = reader.read(0);
        if (!warnings.isEmpty()) {
          throw new BadInputException(file + ": damaged " + reader.getFormatName() + " image: " + String.join("; ", warnings));
        }
        return img;
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof BadInputException b) {
        throw b;
      }
      throw new BadInputException(file + ": cannot decode image (truncated or corrupt?): " + e.getMessage(), e);
    }
  }
}

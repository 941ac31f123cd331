package io.worldring.datasets.vision;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * The pixels of any decoded image as packed {@code 0xRRGGBB}, alpha dropped (as PIL's {@code convert('RGB')}
 * in LWM). Grey images are read from the raster: {@code BufferedImage.getRGB} treats their grey as linear
 * light and brightens it when converting to sRGB.
 */
final class ImagePixels {
  private ImagePixels() {}

  /** @return [height * width], row-major */
  static int[] rgb(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    boolean grey = img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
        && !(img.getColorModel() instanceof IndexColorModel);
    if (!grey) {
      int[] packed = img.getRGB(0, 0, w, h, null, 0, w);
      for (int i = 0; i < packed.length; i++) {
        packed[i] &= 0xffffff;
      }
      return packed;
    }
    Raster r = img.getRaster();
    int bits = img.getColorModel().getComponentSize(0);
    int[] band = r.getSamples(0, 0, w, h, 0, (int[]) null);
    int[] packed = new int[w * h];
    for (int i = 0; i < band.length; i++) {
      int v = bits == 8 ? band[i] : (int) Math.round(band[i] * 255.0 / ((1 << bits) - 1));
      packed[i] = (v << 16) | (v << 8) | v;
    }
    return packed;
  }
}

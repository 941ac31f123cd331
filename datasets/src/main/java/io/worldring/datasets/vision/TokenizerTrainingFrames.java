package io.worldring.datasets.vision;

import io.worldring.model.SplitMix64;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames to train a vision tokenizer on, from a few images: each image's LWM frame (short side resized,
 * centre crop) and then {@code crops - 1} random square crops of it (side between half the short side and
 * all of it, anywhere in the image), each resized to the frame size. Nine photos give thousands of
 * patches this way, the variety a codebook of hundreds of codes needs. Deterministic for a seed.
 */
public final class TokenizerTrainingFrames {
  private TokenizerTrainingFrames() {}

  public static List<Frame> from(List<Path> images, int frameSize, int cropsPerImage, long seed) {
    if (cropsPerImage < 1) {
      throw new IllegalArgumentException("crops per image must be at least 1, got " + cropsPerImage);
    }
    List<Frame> frames = new ArrayList<>();
    SplitMix64 random = new SplitMix64(seed);
    for (Path file : images) {
      BufferedImage image = ImageFiles.read(file);
      frames.add(ResizeCrop.toFrame(image, frameSize));
      int shortSide = Math.min(image.getWidth(), image.getHeight());
      for (int i = 1; i < cropsPerImage; i++) {
        int side = Math.max(1, shortSide / 2 + (int) (random.nextDouble() * (shortSide - shortSide / 2 + 1)));
        side = Math.min(side, shortSide);
        int x = (int) (random.nextDouble() * (image.getWidth() - side + 1));
        int y = (int) (random.nextDouble() * (image.getHeight() - side + 1));
        frames.add(ResizeCrop.toFrame(image.getSubimage(x, y, side, side), frameSize));
      }
    }
    return frames;
  }
}

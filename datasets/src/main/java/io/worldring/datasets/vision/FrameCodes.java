package io.worldring.datasets.vision;

import io.worldring.model.BadInputException;
import java.util.List;

/**
 * A frame sequence (one frame for an image) after the vision tokenizer, before the token layout adds
 * {@code <eof>}/{@code <eov>}. Encoding is the costly step, so many examples (several questions about one
 * video) share one of these.
 *
 * @param codes [frames, codesPerFrame]
 */
public record FrameCodes(int[][] codes) {
  public FrameCodes {
    if (codes.length == 0) {
      throw new IllegalArgumentException("a vision span needs at least one frame");
    }
    for (int[] f : codes) {
      if (f.length != codes[0].length || f.length == 0) {
        throw new IllegalArgumentException("every frame needs the same, positive number of codes");
      }
    }
  }

  /** Encodes each frame; every frame must have the tokenizer's size. */
  public static FrameCodes encode(VisionTokenizer tokenizer, List<Frame> frames) {
    int[][] codes = new int[frames.size()][];
    for (int i = 0; i < codes.length; i++) {
      Frame f = frames.get(i);
      if (f.size() != tokenizer.frameSize()) {
        throw new BadInputException("frame " + i + " is " + f.size() + "x" + f.size() + ", the vision tokenizer takes "
            + tokenizer.frameSize() + "x" + tokenizer.frameSize());
      }
      codes[i] = tokenizer.encode(f);
      if (codes[i].length != tokenizer.codesPerFrame()) {
        throw new IllegalStateException("the vision tokenizer gave " + codes[i].length + " codes for frame " + i + ", it declares "
            + tokenizer.codesPerFrame());
      }
    }
    return new FrameCodes(codes);
  }

  public int frames() {
    return codes.length;
  }

  public int codesPerFrame() {
    return codes[0].length;
  }

  /** Uniformly sampled frames ({@link FrameSampling}), for spans encoded at a higher frame count. */
  public FrameCodes sample(int maxFrames) {
    int[] keep = FrameSampling.uniform(codes.length, maxFrames);
    if (keep.length == codes.length) {
      return this;
    }
    int[][] out = new int[keep.length][];
    for (int i = 0; i < keep.length; i++) {
      out[i] = codes[keep[i]];
    }
    return new FrameCodes(out);
  }
}

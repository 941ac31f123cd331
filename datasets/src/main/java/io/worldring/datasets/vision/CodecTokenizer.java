package io.worldring.datasets.vision;

import io.worldring.model.vision.FrameCodec;
import io.worldring.model.vision.FrameCodecs;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link VisionTokenizer} over one of the model's frame codecs: the VQGAN (LWM's, given its weights) or
 * the patch codebook this project trains ({@code worldring vision train-tokenizer}).
 */
public final class CodecTokenizer implements VisionTokenizer {
  private final FrameCodec codec;
  private final String name;

  public CodecTokenizer(FrameCodec codec, String name) {
    this.codec = codec;
    this.name = name;
  }

  /** The tokenizer saved in {@code dir} (its {@code tokenizer.json} says which kind). */
  public static CodecTokenizer load(Path dir) {
    return new CodecTokenizer(FrameCodecs.load(dir), dir.toString());
  }

  public FrameCodec codec() {
    return codec;
  }

  /** Where it was loaded from, for logs and run configs. */
  public String name() {
    return name;
  }

  @Override
  public int frameSize() {
    return codec.frameSize();
  }

  @Override
  public int codesPerFrame() {
    return codec.codesPerFrame();
  }

  @Override
  public int codebookSize() {
    return codec.codebookSize();
  }

  @Override
  public int[] encode(Frame frame) {
    if (frame.size() != frameSize()) {
      throw new IllegalArgumentException("the tokenizer takes frames of side " + frameSize() + ", got " + frame.size());
    }
    INDArray x = toArray(frame);
    try {
      return codec.encode(x);
    } finally {
      x.close();
    }
  }

  @Override
  public Frame decode(int[] codes) {
    INDArray y = codec.decode(codes); // [3, S, S]
    try {
      return fromArray(y);
    } finally {
      y.close();
    }
  }

  /** @return [3, S, S] */
  public static INDArray toArray(Frame frame) {
    return Nd4j.create(frame.rgb(), new long[] {3, frame.size(), frame.size()}, DataType.FLOAT);
  }

  /** @param rgb [3, S, S] */
  public static Frame fromArray(INDArray rgb) {
    return new Frame((int) rgb.size(1), rgb.castTo(DataType.FLOAT).dup('c').data().asFloat());
  }
}

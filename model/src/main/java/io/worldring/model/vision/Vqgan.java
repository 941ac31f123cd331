package io.worldring.model.vision;

import io.worldring.model.NativeMemory;
import io.worldring.model.Parameters;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * taming-transformers' VQModel at inference, the tokenizer of LWM's vision stages:
 * codes = argmin_k ||quant_conv(Encoder(x)) - e_k||^2 per latent pixel;
 * frame = clip(Decoder(post_quant_conv(e_codes)), -1, 1) (LWM clips; taming leaves it to the caller).
 * Weights use taming's names; {@link VqganWeights} also reads LWM's Flax checkpoint.
 */
public final class Vqgan implements FrameCodec {
  private final VqganConfig config;
  private final VqganEncoder encoder;
  private final Conv2d quantConv; // [embedDim, zChannels, 1, 1]
  private final VectorQuantizer quantize; // [codebookSize, embedDim]
  private final Conv2d postQuantConv; // [zChannels, embedDim, 1, 1]
  private final VqganDecoder decoder;

  /** @param weights every tensor of {@link VqganLayout#tensors} with its shape, as float */
  public Vqgan(VqganConfig config, Parameters weights) {
    VqganWeights.requireLayout(config, weights, "VQGAN weights");
    this.config = config;
    this.encoder = new VqganEncoder(config, weights);
    this.quantConv = Conv2d.pointwise(weights.get("quant_conv.weight"), weights.get("quant_conv.bias"));
    this.quantize = new VectorQuantizer(weights.get("quantize.embedding.weight"));
    this.postQuantConv = Conv2d.pointwise(weights.get("post_quant_conv.weight"), weights.get("post_quant_conv.bias"));
    this.decoder = new VqganDecoder(config, weights);
  }

  /** Loads a safetensors file in taming's or LWM's naming; see {@link VqganWeights#read}. */
  public static Vqgan load(Path file, VqganConfig config) {
    return new Vqgan(config, VqganWeights.read(file, config));
  }

  public VqganConfig config() {
    return config;
  }

  /** @param frames [n, 3, height, width] in [-1, 1]; returns the code vectors before quantization, [n, embedDim, height/f, width/f] */
  public INDArray latents(INDArray frames) {
    Frames.requireBatch(frames, config.downsampleFactor());
    INDArray z = encoder.forward(frames.castTo(DataType.FLOAT)); // [n, zChannels, height/f, width/f]
    INDArray latents = quantConv.forward(z); // [n, embedDim, height/f, width/f]
    NativeMemory.release(z);
    return latents;
  }

  /** @param frames [n, 3, height, width] in [-1, 1], sides multiples of f; returns codes, INT32 [n, height/f, width/f] */
  public INDArray encodeGrid(INDArray frames) {
    INDArray latents = latents(frames); // [n, embedDim, height/f, width/f]
    INDArray codes = quantize.quantize(latents); // [n, height/f, width/f]
    NativeMemory.release(latents);
    return codes;
  }

  /** @param codes integer [n, height, width]; returns frames, [n, 3, height f, width f] in [-1, 1] */
  public INDArray decodeGrid(INDArray codes) {
    INDArray frames = decoderOutput(codes); // [n, 3, height f, width f]
    return Transforms.min(Transforms.max(frames, -1.0, false), 1.0, false);
  }

  /** Decoder(post_quant_conv(e_codes)) before clipping: [n, 3, height f, width f]. */
  INDArray decoderOutput(INDArray codes) {
    INDArray embedded = quantize.embed(codes); // [n, embedDim, height, width]
    INDArray z = postQuantConv.forward(embedded); // [n, zChannels, height, width]
    NativeMemory.release(embedded);
    INDArray frames = decoder.forward(z); // [n, 3, height f, width f]
    NativeMemory.release(z);
    return frames;
  }

  @Override
  public int frameSize() {
    return config.resolution();
  }

  @Override
  public int gridSize() {
    return config.latentSide(config.resolution());
  }

  @Override
  public int codebookSize() {
    return config.codebookSize();
  }

  @Override
  public int[][] encodeAll(INDArray frames) {
    if (frames.rank() != 4 || frames.size(2) != frameSize() || frames.size(3) != frameSize()) {
      throw new IllegalArgumentException("frames must be [n, 3, " + frameSize() + ", " + frameSize() + "], got "
          + java.util.Arrays.toString(frames.shape()));
    }
    INDArray grid = encodeGrid(frames); // [n, g, g]
    int[][] out = new int[(int) frames.size(0)][];
    for (int i = 0; i < out.length; i++) {
      out[i] = grid.slice(i).dup('c').data().asInt();
    }
    NativeMemory.release(grid);
    return out;
  }

  @Override
  public INDArray decodeAll(int[][] codes) {
    int g = gridSize();
    int[] flat = new int[codes.length * g * g];
    for (int i = 0; i < codes.length; i++) {
      Frames.requireCodes(codes[i], g * g, codebookSize());
      System.arraycopy(codes[i], 0, flat, i * g * g, g * g);
    }
    INDArray grid = Nd4j.createFromArray(flat).reshape('c', codes.length, g, g); // [n, g, g]
    return decodeGrid(grid);
  }
}

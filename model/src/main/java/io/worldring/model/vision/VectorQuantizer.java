package io.worldring.model.vision;

import io.worldring.model.NativeMemory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * taming's VectorQuantizer2 at inference: each latent pixel's vector becomes the index of its nearest
 * code (squared Euclidean distance, exact; see {@link NearestCode}), and an index becomes its code vector.
 * No straight-through estimator or commitment loss: nothing here is trained.
 */
final class VectorQuantizer {
  private final NearestCode codebook; // embedding [codebookSize, embedDim]

  /** @param embedding taming's {@code quantize.embedding.weight}, [codebookSize, embedDim] */
  VectorQuantizer(INDArray embedding) {
    this.codebook = new NearestCode(embedding);
  }

  int codebookSize() {
    return codebook.codes();
  }

  /** @param z [n, embedDim, height, width]; returns the codes, INT32 [n, height, width] */
  INDArray quantize(INDArray z) {
    long n = z.size(0);
    long height = z.size(2);
    long width = z.size(3);
    INDArray pixels = z.permute(0, 2, 3, 1).dup('c'); // [n, height, width, embedDim]
    int[] codes = codebook.nearest(pixels.reshape('c', n * height * width, z.size(1))); // [n * height * width]
    NativeMemory.release(pixels);
    return Nd4j.createFromArray(codes).reshape('c', n, height, width); // [n, height, width]
  }

  /** @param codes integer [n, height, width]; returns the code vectors, [n, embedDim, height, width] */
  INDArray embed(INDArray codes) {
    long n = codes.size(0);
    long height = codes.size(1);
    long width = codes.size(2);
    int[] flat = codes.castTo(DataType.INT32).dup('c').data().asInt(); // [n * height * width]
    INDArray vectors = codebook.lookup(flat); // [n * height * width, embedDim]
    INDArray out = vectors.reshape('c', n, height, width, codebook.dim()).permute(0, 3, 1, 2).dup('c'); // [n, embedDim, height, width]
    NativeMemory.release(vectors);
    return out;
  }
}

package io.worldring.model.io;

import io.worldring.model.BadInputException;
import io.worldring.model.ModelConfig;
import io.worldring.model.ParameterNames;
import io.worldring.model.Parameters;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a llama2.c checkpoint (the legacy "version 0" format of karpathy/llama2.c): a header of seven
 * little-endian int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len; a negative
 * vocab_size means an untied classifier follows), then float32 arrays, every matrix row-major [out][in]:
 * token_embedding, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, freq_cis_real, freq_cis_imag
 * (unused: RoPE is recomputed), [wcls]. The file size must match the header exactly.
 *
 * <p>llama2.c uses RoPE theta 10000 and RMSNorm eps 1e-5, and rotates adjacent pairs, which is this
 * project's internal layout: no permutation is needed.
 */
public final class Llama2cImporter {
  private static final int HEADER_BYTES = 7 * 4;

  private Llama2cImporter() {}

  public static ImportedModel read(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < HEADER_BYTES) {
        throw new BadInputException(file + ": " + size + " bytes is too short for a llama2.c header (" + HEADER_BYTES + " bytes)");
      }
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      while (header.hasRemaining()) {
        if (ch.read(header, header.position()) < 0) {
          throw new BadInputException(file + ": unexpected end of file in the header");
        }
      }
      header.flip();
      int dim = header.getInt();
      int hidden = header.getInt();
      int layers = header.getInt();
      int heads = header.getInt();
      int kvHeads = header.getInt();
      int vocabSigned = header.getInt();
      int seqLen = header.getInt();
      boolean shared = vocabSigned > 0;
      int vocab = Math.abs(vocabSigned);
      String fields = "dim=" + dim + " hidden_dim=" + hidden + " n_layers=" + layers + " n_heads=" + heads
          + " n_kv_heads=" + kvHeads + " vocab_size=" + vocabSigned + " seq_len=" + seqLen;
      if (dim <= 0 || hidden <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || vocab <= 0 || seqLen <= 0
          || dim % heads != 0 || heads % kvHeads != 0 || dim > 1 << 16 || hidden > 1 << 18 || layers > 1024 || vocab > 1 << 22) {
        throw new BadInputException(file + ": implausible llama2.c header (" + fields + ")");
      }
      ModelConfig config;
      try {
        config = new ModelConfig(dim, layers, heads, kvHeads, hidden, vocab, 1e-5, 10_000, seqLen, shared);
      } catch (BadInputException e) {
        throw new BadInputException(file + ": header (" + fields + ") is not a valid model: " + e.getMessage());
      }
      int headSize = dim / heads;
      long kvDim = (long) kvHeads * headSize;
      long floats = (long) vocab * dim // token_embedding
          + (long) layers * dim // rms_att
          + (long) layers * dim * dim // wq
          + 2L * layers * kvDim * dim // wk, wv
          + (long) layers * dim * dim // wo
          + (long) layers * dim // rms_ffn
          + 3L * layers * hidden * dim // w1, w2, w3
          + dim // rms_final
          + (long) seqLen * headSize // freq_cis_real and freq_cis_imag, seq_len * head_size / 2 each
          + (shared ? 0 : (long) vocab * dim); // wcls
      long expected = HEADER_BYTES + floats * 4;
      if (size != expected) {
        throw new BadInputException(file + ": size " + size + " bytes does not match its header (" + fields + "), which needs "
            + expected + " bytes" + (size < expected ? " (truncated?)" : ""));
      }
      if (expected - HEADER_BYTES > Integer.MAX_VALUE) {
        throw new BadInputException(file + ": llama2.c files over 2 GiB are not supported; convert to Hugging Face safetensors");
      }
      FloatBuffer f = ch.map(FileChannel.MapMode.READ_ONLY, HEADER_BYTES, expected - HEADER_BYTES)
          .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      Parameters p = new Parameters();
      p.put(ParameterNames.EMBED_TOKENS, take(f, vocab, dim));
      float[][] rmsAtt = takePerLayer(f, layers, dim);
      float[][] wq = takePerLayer(f, layers, (long) dim * dim);
      float[][] wk = takePerLayer(f, layers, kvDim * dim);
      float[][] wv = takePerLayer(f, layers, kvDim * dim);
      float[][] wo = takePerLayer(f, layers, (long) dim * dim);
      float[][] rmsFfn = takePerLayer(f, layers, dim);
      float[][] w1 = takePerLayer(f, layers, (long) hidden * dim);
      float[][] w2 = takePerLayer(f, layers, (long) dim * hidden);
      float[][] w3 = takePerLayer(f, layers, (long) hidden * dim);
      var finalNorm = take(f, dim);
      f.position(f.position() + seqLen * headSize); // skip freq_cis_real and freq_cis_imag
      for (int l = 0; l < layers; l++) {
        p.put(ParameterNames.inputNorm(l), Nd4j.create(rmsAtt[l], new long[] {dim}, DataType.FLOAT));
        p.put(ParameterNames.qProj(l), Nd4j.create(wq[l], new long[] {dim, dim}, DataType.FLOAT));
        p.put(ParameterNames.kProj(l), Nd4j.create(wk[l], new long[] {kvDim, dim}, DataType.FLOAT));
        p.put(ParameterNames.vProj(l), Nd4j.create(wv[l], new long[] {kvDim, dim}, DataType.FLOAT));
        p.put(ParameterNames.oProj(l), Nd4j.create(wo[l], new long[] {dim, dim}, DataType.FLOAT));
        p.put(ParameterNames.postAttentionNorm(l), Nd4j.create(rmsFfn[l], new long[] {dim}, DataType.FLOAT));
        p.put(ParameterNames.gateProj(l), Nd4j.create(w1[l], new long[] {hidden, dim}, DataType.FLOAT));
        p.put(ParameterNames.downProj(l), Nd4j.create(w2[l], new long[] {dim, hidden}, DataType.FLOAT));
        p.put(ParameterNames.upProj(l), Nd4j.create(w3[l], new long[] {hidden, dim}, DataType.FLOAT));
      }
      p.put(ParameterNames.FINAL_NORM, finalNorm);
      if (!shared) {
        p.put(ParameterNames.LM_HEAD, take(f, vocab, dim));
      }
      return new ImportedModel(config, ordered(config, p), file.toString());
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": no such file");
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  /** Checkpoint order (layer by layer), whatever order the file had. */
  private static Parameters ordered(ModelConfig c, Parameters p) {
    Parameters out = new Parameters();
    for (String name : io.worldring.model.ParameterLayout.shapes(c).keySet()) {
      out.put(name, p.get(name));
    }
    return out;
  }

  private static org.nd4j.linalg.api.ndarray.INDArray take(FloatBuffer f, long... shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    float[] v = new float[Math.toIntExact(n)];
    f.get(v);
    return Nd4j.create(v, shape, DataType.FLOAT);
  }

  private static float[][] takePerLayer(FloatBuffer f, int layers, long each) {
    float[][] out = new float[layers][Math.toIntExact(each)];
    for (int l = 0; l < layers; l++) {
      f.get(out[l]);
    }
    return out;
  }
}

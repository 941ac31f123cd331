package io.worldring.model.attention;

import io.worldring.model.NativeMemory;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Causal self-attention of one sequence on one device: {@link BlockAttention} looped over key blocks,
 * exactly as a ring of devices would loop over the blocks arriving from its neighbours. Bounded memory:
 * scores exist for one (query block, key block) pair at a time.
 *
 * <p>One instance serves every layer of a sequence; the masks of its block pairs are built once.
 */
public final class LocalAttention {
  private final TokenBlock tokens;
  private final int blockSize;
  private final boolean causal;
  private final List<int[]> ranges = new ArrayList<>(); // [start, end) of each block
  private BlockMask[][] masks; // [query block][key block], built on first use
  private DataType maskType; // the tensor type the masks were built for

  /**
   * @param tokens positions and segments of the whole sequence
   * @param blockSize tokens per block (the last block may be shorter)
   * @param causal false for bidirectional attention within segments
   */
  public LocalAttention(TokenBlock tokens, int blockSize, boolean causal) {
    if (blockSize <= 0) {
      throw new IllegalArgumentException("attention block size must be positive: " + blockSize);
    }
    this.tokens = tokens;
    this.blockSize = blockSize;
    this.causal = causal;
    for (int s = 0; s < tokens.size(); s += blockSize) {
      ranges.add(new int[] {s, Math.min(tokens.size(), s + blockSize)});
    }
  }

  public int blockSize() {
    return blockSize;
  }

  /**
   * @param q [heads, tokens, headDim]
   * @param k [kvHeads, tokens, headDim]
   * @param v [kvHeads, tokens, headDim]
   */
  public AttentionOutput forward(INDArray q, INDArray k, INDArray v, double scale) {
    BlockMask[][] m = masks(q.dataType());
    int heads = (int) q.size(0);
    int headDim = (int) q.size(2);
    List<INDArray> qBlocks = split(q);
    List<INDArray> kBlocks = split(k);
    List<INDArray> vBlocks = split(v);
    INDArray out = Nd4j.createUninitialized(q.dataType(), q.shape()); // [heads, tokens, headDim]
    INDArray lse = Nd4j.createUninitialized(q.dataType(), (long) heads * tokens.size()); // [heads * tokens]
    INDArray lse2 = lse.reshape(heads, tokens.size()); // view [heads, tokens]
    for (int qb = 0; qb < ranges.size(); qb++) {
      int[] r = ranges.get(qb);
      OnlineSoftmaxCarry carry = OnlineSoftmaxCarry.start(heads, r[1] - r[0], headDim, q.dataType());
      for (int kb = 0; kb < ranges.size(); kb++) {
        BlockAttention.forward(qBlocks.get(qb), kBlocks.get(kb), vBlocks.get(kb), m[qb][kb], carry, scale);
      }
      INDArray blockOut = carry.output();
      INDArray blockLse = carry.logSumExp();
      place(out, blockOut, r);
      lse2.get(NDArrayIndex.all(), NDArrayIndex.interval(r[0], r[1])).assign(blockLse.reshape(heads, r[1] - r[0]));
      NativeMemory.release(blockOut, blockLse);
      carry.release();
    }
    releaseCopies(qBlocks, kBlocks, vBlocks);
    return new AttentionOutput(out, lse);
  }

  /**
   * @param out the forward output, [heads, tokens, headDim]
   * @param lse the forward log-sum-exp, [heads * tokens]
   * @param dOut [heads, tokens, headDim]
   */
  public AttentionGradients backward(INDArray q, INDArray k, INDArray v, INDArray out, INDArray lse, INDArray dOut, double scale) {
    BlockMask[][] m = masks(q.dataType());
    int heads = (int) q.size(0);
    List<INDArray> qBlocks = split(q);
    List<INDArray> kBlocks = split(k);
    List<INDArray> vBlocks = split(v);
    List<INDArray> dOutBlocks = split(dOut);
    List<INDArray> outBlocks = split(out);
    INDArray lse2 = lse.reshape(heads, tokens.size()); // [heads, tokens]
    List<INDArray> dkBlocks = new ArrayList<>();
    List<INDArray> dvBlocks = new ArrayList<>();
    for (INDArray kb : kBlocks) {
      dkBlocks.add(Nd4j.zeros(k.dataType(), kb.shape()));
      dvBlocks.add(Nd4j.zeros(v.dataType(), kb.shape()));
    }
    INDArray dq = ranges.size() == 1 ? null : Nd4j.createUninitialized(q.dataType(), q.shape()); // [heads, tokens, headDim]
    for (int qb = 0; qb < ranges.size(); qb++) {
      int[] r = ranges.get(qb);
      INDArray qBlock = qBlocks.get(qb);
      INDArray dOutBlock = dOutBlocks.get(qb);
      INDArray lseBlock = lse2.get(NDArrayIndex.all(), NDArrayIndex.interval(r[0], r[1])).dup('c').reshape((long) heads * (r[1] - r[0]));
      INDArray delta = BlockAttention.delta(outBlocks.get(qb), dOutBlock);
      INDArray dqBlock = Nd4j.zeros(q.dataType(), qBlock.shape());
      for (int kb = 0; kb < ranges.size(); kb++) {
        BlockAttention.backward(qBlock, kBlocks.get(kb), vBlocks.get(kb), dOutBlock, lseBlock, delta, m[qb][kb],
            dqBlock, dkBlocks.get(kb), dvBlocks.get(kb), scale);
      }
      NativeMemory.release(lseBlock, delta);
      if (dq == null) {
        dq = dqBlock;
      } else {
        place(dq, dqBlock, r);
        NativeMemory.release(dqBlock);
      }
    }
    releaseCopies(qBlocks, kBlocks, vBlocks, dOutBlocks, outBlocks);
    return new AttentionGradients(dq, join(dkBlocks), join(dvBlocks));
  }

  /** Frees the masks' biases. */
  public void release() {
    if (masks != null) {
      for (BlockMask[] row : masks) {
        for (BlockMask mask : row) {
          NativeMemory.release(mask.bias());
        }
      }
      masks = null;
    }
  }

  private BlockMask[][] masks(DataType type) {
    if (masks == null || maskType != type) {
      release();
      int n = ranges.size();
      masks = new BlockMask[n][n];
      for (int qb = 0; qb < n; qb++) {
        TokenBlock qt = tokens.slice(ranges.get(qb)[0], ranges.get(qb)[1]);
        for (int kb = 0; kb < n; kb++) {
          masks[qb][kb] = BlockMask.between(qt, tokens.slice(ranges.get(kb)[0], ranges.get(kb)[1]), causal, type);
        }
      }
      maskType = type;
    }
    return masks;
  }

  /** Contiguous copies of each block along the token axis; the tensor itself when there is one block. */
  private List<INDArray> split(INDArray x) {
    List<INDArray> blocks = new ArrayList<>();
    if (ranges.size() == 1) {
      blocks.add(x);
      return blocks;
    }
    for (int[] r : ranges) {
      blocks.add(x.get(NDArrayIndex.all(), NDArrayIndex.interval(r[0], r[1]), NDArrayIndex.all()).dup('c'));
    }
    return blocks;
  }

  /** Frees the copies {@link #split} made (none when there is one block: those are the caller's). */
  @SafeVarargs
  private void releaseCopies(List<INDArray>... lists) {
    if (ranges.size() == 1) {
      return;
    }
    for (List<INDArray> list : lists) {
      list.forEach(NativeMemory::release);
    }
  }

  /** One tensor from the blocks; frees them unless there is only one. */
  private INDArray join(List<INDArray> blocks) {
    if (blocks.size() == 1) {
      return blocks.get(0);
    }
    INDArray joined = Nd4j.concat(1, blocks.toArray(new INDArray[0]));
    blocks.forEach(NativeMemory::release);
    return joined;
  }

  private static void place(INDArray target, INDArray block, int[] r) {
    target.get(NDArrayIndex.all(), NDArrayIndex.interval(r[0], r[1]), NDArrayIndex.all()).assign(block);
  }
}

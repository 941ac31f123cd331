package io.worldring.model.attention;

import io.worldring.model.NativeMemory;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Forward attention of one query block against key/value blocks that arrive one at a time: from the
 * devices of a ring, or (on one device) the sequence itself. Query and key blocks are cut into tiles;
 * each query tile keeps an {@link OnlineSoftmaxCarry}, and each (query tile, key tile) pair is one
 * {@link BlockAttention#forward} step, skipped when its mask hides everything. Memory for scores is one
 * tile pair, whatever the block and sequence sizes.
 */
public final class QueryBlockAttention {
  private final TokenBlock queries;
  private final int tile;
  private final double scale;
  private final AttentionMasks masks;
  private final List<int[]> queryRanges;
  private final List<TokenBlock> queryTiles;
  private final List<INDArray> qTiles; // each [heads, tile, headDim]
  private final List<OnlineSoftmaxCarry> carries;
  private final int heads;
  private long scratchBytes;
  private long pairsComputed;
  private long pairsSkipped;

  /**
   * @param queries positions and segments of the query block
   * @param q [heads, queries, headDim]; not freed here
   * @param tile tokens per tile
   */
  public QueryBlockAttention(TokenBlock queries, INDArray q, int tile, double scale, AttentionMasks masks) {
    this.queries = queries;
    this.tile = tile;
    this.scale = scale;
    this.masks = masks;
    this.heads = (int) q.size(0);
    this.queryRanges = Tiles.ranges(queries.size(), tile);
    this.qTiles = Tiles.split(q, queryRanges);
    this.queryTiles = new ArrayList<>();
    this.carries = new ArrayList<>();
    for (int[] r : queryRanges) {
      queryTiles.add(queries.slice(r[0], r[1]));
      carries.add(OnlineSoftmaxCarry.start(heads, r[1] - r[0], (int) q.size(2), q.dataType()));
    }
  }

  /**
   * Folds one key/value block into every query tile's carry.
   *
   * @param keyBlock the block's id (ring device index; 0 on one device), which names its cached masks
   * @param keys positions and segments of the key block
   * @param k [kvHeads, keys, headDim]; not freed here
   * @param v [kvHeads, keys, headDim]; not freed here
   */
  public void accumulate(int keyBlock, TokenBlock keys, INDArray k, INDArray v) {
    List<int[]> keyRanges = Tiles.ranges(keys.size(), tile);
    List<INDArray> kTiles = Tiles.split(k, keyRanges);
    List<INDArray> vTiles = Tiles.split(v, keyRanges);
    for (int qt = 0; qt < queryRanges.size(); qt++) {
      for (int kt = 0; kt < keyRanges.size(); kt++) {
        int[] kr = keyRanges.get(kt);
        BlockMask mask = masks.get(qt, queryTiles.get(qt), keyBlock, kr[0], keys.slice(kr[0], kr[1]));
        scratchBytes = Math.max(scratchBytes, BlockAttention.scratchBytes(qTiles.get(qt), kTiles.get(kt)));
        if (BlockAttention.forward(qTiles.get(qt), kTiles.get(kt), vTiles.get(kt), mask, carries.get(qt), scale)) {
          pairsComputed++;
        } else {
          pairsSkipped++;
        }
      }
    }
    Tiles.releaseCopies(kTiles, keyRanges);
    Tiles.releaseCopies(vTiles, keyRanges);
  }

  /** The attention output and statistics; frees this object's state. */
  public AttentionOutput finish() {
    int n = queries.size();
    INDArray first = carries.get(0).numerator();
    INDArray out = Nd4j.createUninitialized(first.dataType(), heads, n, first.size(2)); // [heads, queries, headDim]
    INDArray lse = Nd4j.createUninitialized(first.dataType(), (long) heads * n); // [heads * queries]
    INDArray lse2 = lse.reshape(heads, n); // view [heads, queries]
    for (int qt = 0; qt < queryRanges.size(); qt++) {
      int[] r = queryRanges.get(qt);
      OnlineSoftmaxCarry carry = carries.get(qt);
      INDArray tileOut = carry.output();
      INDArray tileLse = carry.logSumExp();
      Tiles.view(out, r).assign(tileOut);
      lse2.get(NDArrayIndex.all(), NDArrayIndex.interval(r[0], r[1])).assign(tileLse.reshape(heads, r[1] - r[0]));
      NativeMemory.release(tileOut, tileLse);
      carry.release();
    }
    Tiles.releaseCopies(qTiles, queryRanges);
    return new AttentionOutput(out, lse);
  }

  /** The most temporary bytes one tile pair used. */
  public long scratchBytes() {
    return scratchBytes;
  }

  /** Tile pairs computed so far (for load-balance statistics). */
  public long pairsComputed() {
    return pairsComputed;
  }

  public long pairsSkipped() {
    return pairsSkipped;
  }
}

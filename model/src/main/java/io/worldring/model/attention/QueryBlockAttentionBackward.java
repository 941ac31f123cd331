package io.worldring.model.attention;

import io.worldring.model.NativeMemory;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Backward attention of one query block against key/value blocks that arrive one at a time. dQ
 * accumulates here; each key block's dK and dV accumulators are passed in with it and added to (in a
 * ring they travel with K and V until they are back at their owner).
 */
public final class QueryBlockAttentionBackward {
  private final int tile;
  private final double scale;
  private final AttentionMasks masks;
  private final List<int[]> queryRanges;
  private final List<TokenBlock> queryTiles;
  private final List<INDArray> qTiles; // [heads, tile, headDim]
  private final List<INDArray> dOutTiles; // [heads, tile, headDim]
  private final List<INDArray> lseTiles; // [heads * tile]
  private final List<INDArray> deltaTiles; // [heads * tile]
  private final List<INDArray> dqTiles; // [heads, tile, headDim]
  private final int heads;
  private long scratchBytes;

  /**
   * @param q [heads, queries, headDim]; not freed here
   * @param out forward output, [heads, queries, headDim]; not freed here
   * @param lse forward log-sum-exp, [heads * queries]; not freed here
   * @param dOut gradient of the output, [heads, queries, headDim]; not freed here
   */
  public QueryBlockAttentionBackward(TokenBlock queries, INDArray q, INDArray out, INDArray lse, INDArray dOut,
      int tile, double scale, AttentionMasks masks) {
    this.tile = tile;
    this.scale = scale;
    this.masks = masks;
    this.heads = (int) q.size(0);
    this.queryRanges = Tiles.ranges(queries.size(), tile);
    this.qTiles = Tiles.split(q, queryRanges);
    this.dOutTiles = Tiles.split(dOut, queryRanges);
    this.queryTiles = new ArrayList<>();
    this.lseTiles = new ArrayList<>();
    this.deltaTiles = new ArrayList<>();
    this.dqTiles = new ArrayList<>();
    List<INDArray> outTiles = Tiles.split(out, queryRanges);
    INDArray lse2 = lse.reshape(heads, queries.size()); // view [heads, queries]
    for (int qt = 0; qt < queryRanges.size(); qt++) {
      int[] r = queryRanges.get(qt);
      queryTiles.add(queries.slice(r[0], r[1]));
      lseTiles.add(lse2.get(NDArrayIndex.all(), NDArrayIndex.interval(r[0], r[1])).dup('c').reshape((long) heads * (r[1] - r[0])));
      deltaTiles.add(BlockAttention.delta(outTiles.get(qt), dOutTiles.get(qt)));
      dqTiles.add(Nd4j.zeros(q.dataType(), qTiles.get(qt).shape()));
    }
    Tiles.releaseCopies(outTiles, queryRanges);
  }

  /**
   * Adds this query block's contributions to one key block's gradients.
   *
   * @param k [kvHeads, keys, headDim]; not freed here
   * @param v [kvHeads, keys, headDim]; not freed here
   * @param dk accumulator, [kvHeads, keys, headDim]
   * @param dv accumulator, [kvHeads, keys, headDim]
   */
  public void accumulate(int keyBlock, TokenBlock keys, INDArray k, INDArray v, INDArray dk, INDArray dv) {
    List<int[]> keyRanges = Tiles.ranges(keys.size(), tile);
    List<INDArray> kTiles = Tiles.split(k, keyRanges);
    List<INDArray> vTiles = Tiles.split(v, keyRanges);
    boolean single = keyRanges.size() == 1;
    for (int kt = 0; kt < keyRanges.size(); kt++) {
      int[] kr = keyRanges.get(kt);
      TokenBlock keyTile = keys.slice(kr[0], kr[1]);
      INDArray dkTile = single ? dk : Nd4j.zeros(dk.dataType(), kTiles.get(kt).shape());
      INDArray dvTile = single ? dv : Nd4j.zeros(dv.dataType(), vTiles.get(kt).shape());
      for (int qt = 0; qt < queryRanges.size(); qt++) {
        BlockMask mask = masks.get(qt, queryTiles.get(qt), keyBlock, kr[0], keyTile);
        scratchBytes = Math.max(scratchBytes, BlockAttention.scratchBytes(qTiles.get(qt), kTiles.get(kt)));
        BlockAttention.backward(qTiles.get(qt), kTiles.get(kt), vTiles.get(kt), dOutTiles.get(qt), lseTiles.get(qt),
            deltaTiles.get(qt), mask, dqTiles.get(qt), dkTile, dvTile, scale);
      }
      if (!single) {
        Tiles.view(dk, kr).addi(dkTile);
        Tiles.view(dv, kr).addi(dvTile);
        NativeMemory.release(dkTile, dvTile);
      }
    }
    Tiles.releaseCopies(kTiles, keyRanges);
    Tiles.releaseCopies(vTiles, keyRanges);
  }

  /** The most temporary bytes one tile pair used. */
  public long scratchBytes() {
    return scratchBytes;
  }

  /** dQ, [heads, queries, headDim]; frees this object's state. */
  public INDArray finish() {
    INDArray dq;
    if (queryRanges.size() == 1) {
      dq = dqTiles.get(0);
    } else {
      INDArray first = dqTiles.get(0);
      dq = Nd4j.createUninitialized(first.dataType(), heads, queryRanges.get(queryRanges.size() - 1)[1], first.size(2));
      for (int qt = 0; qt < queryRanges.size(); qt++) {
        Tiles.view(dq, queryRanges.get(qt)).assign(dqTiles.get(qt));
      }
      dqTiles.forEach(NativeMemory::release);
    }
    Tiles.releaseCopies(qTiles, queryRanges);
    Tiles.releaseCopies(dOutTiles, queryRanges);
    lseTiles.forEach(NativeMemory::release);
    deltaTiles.forEach(NativeMemory::release);
    return dq;
  }
}

package io.worldring.model.attention;

import io.worldring.model.NativeMemory;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The masks of one sequence's (query tile, key tile) pairs, built once and reused by every layer and by
 * backward. A key tile is named by the key block it belongs to (a ring device's block, or 0 on one
 * device) and its first token within that block.
 */
public final class AttentionMasks {
  private final boolean causal;
  private final DataType type;
  private final Map<Key, BlockMask> masks = new HashMap<>();

  private record Key(int queryTile, int keyBlock, int keyTileStart) {}

  /** @param causal false for bidirectional attention within segments */
  public AttentionMasks(boolean causal, DataType type) {
    this.causal = causal;
    this.type = type;
  }

  BlockMask get(int queryTile, TokenBlock queries, int keyBlock, int keyTileStart, TokenBlock keys) {
    return masks.computeIfAbsent(new Key(queryTile, keyBlock, keyTileStart), k -> BlockMask.between(queries, keys, causal, type));
  }

  public void release() {
    masks.values().forEach(m -> NativeMemory.release(m.bias()));
    masks.clear();
  }
}

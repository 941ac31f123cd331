package io.worldring.model.attention;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exact attention output of a query block and the row statistics backward needs.
 *
 * @param out softmax(QK^T scale) V, [heads, queries, headDim]
 * @param logSumExp per query row, [heads * queries]
 */
public record AttentionOutput(INDArray out, INDArray logSumExp) {}

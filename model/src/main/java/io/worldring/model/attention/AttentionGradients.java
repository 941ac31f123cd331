package io.worldring.model.attention;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gradients of the attention inputs.
 *
 * @param dq [heads, tokens, headDim]
 * @param dk [kvHeads, tokens, headDim]
 * @param dv [kvHeads, tokens, headDim]
 */
public record AttentionGradients(INDArray dq, INDArray dk, INDArray dv) {}

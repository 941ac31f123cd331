package io.worldring.model.train;

/**
 * What one optimizer step did.
 *
 * @param step the step number (0-based) that was applied
 * @param loss mean loss per unit of loss weight over the batch
 * @param gradNorm global gradient norm before clipping
 * @param learningRate the rate used
 * @param tokens tokens processed
 */
public record StepResult(long step, double loss, double gradNorm, double learningRate, long tokens) {}

package io.worldring.actors.driver;

import io.worldring.model.Parameters;

/**
 * What one ring step did.
 *
 * @param loss mean loss per unit of loss weight over the batch
 * @param gradNorm global gradient norm before clipping (0 when the step was not applied)
 * @param tokens tokens processed
 * @param kvBytesSent key/value and dK/dV bytes sent between devices, all devices together
 * @param gradientBytesSent gradient all-reduce bytes sent, all devices together
 * @param peakActivationBytes the largest per-device activation memory at a phase boundary
 * @param droppedMessages stale or duplicated ring messages the devices dropped so far
 * @param gradients the reduced gradient (device 0's), when asked for
 * @param error why the step failed, or null
 * @param committed the step committed (every device held the reduced gradient and was told to apply it),
 *     even if a device failed afterwards: it must not be run again
 * @param logits an inference round's logits, per sequence, [vocab] each; null for training
 * @param overlapRatios per device in ring order, hop compute ÷ (compute + wait) in this round, [devices]
 *     (empty when the step failed)
 */
public record StepOutcome(long step, double loss, double gradNorm, long tokens, long kvBytesSent, long gradientBytesSent,
    long peakActivationBytes,
    long droppedMessages, Parameters gradients, String error, boolean committed, float[][] logits,
    double[] overlapRatios) {
  public boolean failed() {
    return error != null;
  }
}

package io.worldring.actors.device;

/**
 * Where a device may be made to fail, for fault-injection tests: keyed by (device index, step, phase).
 * Production devices use {@link #NONE}.
 */
public interface DeviceFaults {
  /** The points of a step a fault can hit. */
  enum Phase { FORWARD_HOP, BACKWARD_HOP, GRADIENT_REDUCTION, AFTER_COMMIT }

  /** Throws to make the device fail at this point. */
  void check(int device, long step, Phase phase);

  DeviceFaults NONE = (device, step, phase) -> {};
}

package io.worldring.actors;

import com.typesafe.config.Config;
import io.worldring.model.BadInputException;
import io.worldring.model.ComputeThreads;

/** Splits this machine's cores between the device actors computing at once and each operation's threads. */
public final class DeviceThreads {
  private DeviceThreads() {}

  /** Applies {@code worldring.device-op-threads} for {@code localDevices} devices on this JVM. */
  public static void configure(Config config, int localDevices) {
    if (localDevices <= 1) {
      return; // one device: every core for each operation, ND4J's default
    }
    String setting = config.getString("worldring.device-op-threads");
    int dispatcherThreads = config.getInt("worldring.device-dispatcher.thread-pool-executor.fixed-pool-size");
    if (setting.equals("auto")) {
      ComputeThreads.perOperation(ComputeThreads.share(Math.min(localDevices, dispatcherThreads)));
      return;
    }
    try {
      ComputeThreads.perOperation(Integer.parseInt(setting));
    } catch (NumberFormatException e) {
      throw new BadInputException("worldring.device-op-threads must be auto or a number, got '" + setting + "'");
    }
  }
}

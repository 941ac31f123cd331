package io.worldring.actors.wire;

import com.typesafe.config.Config;
import io.worldring.model.BadInputException;
import io.worldring.ring.TensorPayload;

/**
 * How ring messages travel between JVMs ({@code worldring.ring} in reference.conf).
 *
 * @param fp32Transport fp32 tensors on the wire as FP32 or BF16
 * @param maxMessageBytes the largest message written or accepted
 * @param fragmentBytes larger serialized messages are split into fragments of at most this size
 * @param inboxCapacity early ring messages a device keeps
 */
public record WireSettings(TensorPayload.WireType fp32Transport, int maxMessageBytes, int fragmentBytes, int inboxCapacity) {
  public static WireSettings from(Config config) {
    Config c = config.getConfig("worldring.ring");
    String dtype = c.getString("transport-dtype");
    TensorPayload.WireType type = switch (dtype) {
      case "fp32" -> TensorPayload.WireType.FP32;
      case "bf16" -> TensorPayload.WireType.BF16;
      default -> throw new BadInputException(c.getValue("transport-dtype").origin().description()
          + ": worldring.ring.transport-dtype must be fp32 or bf16, got '" + dtype + "'");
    };
    long max = c.getBytes("max-message-bytes");
    long fragment = c.getBytes("fragment-bytes");
    if (max > Integer.MAX_VALUE - 8 || fragment <= 0 || fragment > max) {
      throw new BadInputException("worldring.ring: need 0 < fragment-bytes <= max-message-bytes < 2 GiB");
    }
    return new WireSettings(type, (int) max, (int) fragment, c.getInt("inbox-capacity"));
  }
}

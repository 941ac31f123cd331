package io.worldring.actors.device;

import io.worldring.model.ModelConfig;
import io.worldring.model.Parameters;
import io.worldring.model.train.AdamW;
import io.worldring.ring.WireMessage;
import io.worldring.ring.wire.Fragments;
import io.worldring.ring.wire.WireFormat;
import io.worldring.ring.wire.WireFragment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A replica (weights, AdamW moments, and the committed training state it belongs to) copied from a live
 * device to one that joined or restarted, without a disk round trip. The replica goes as one header and
 * one part per tensor, each serialized and cut into bounded fragments, so no message exceeds a transport
 * frame and no part needs the whole model in one array. Tensors travel as exact fp32 whatever the ring's
 * transport dtype: a re-synced replica must be bit-identical to its source.
 */
public final class ReplicaTransfer {
  /** What the replica is: the tensor names in order, and the step and training state it holds. */
  public record Header(ModelConfig config, String[] names, long optimizerStep, long replicaStep, String committedState)
      implements WireMessage {}

  /** One tensor: weights and both AdamW moments, row-major, with its shape. */
  public record Tensor(String name, long[] shape, float[] weight, float[] firstMoment, float[] secondMoment) implements WireMessage {}

  /** A replica as received. */
  public record Received(ModelConfig config, Parameters weights, Parameters firstMoment, Parameters secondMoment,
      long optimizerStep, long replicaStep, String committedState) {}

  private ReplicaTransfer() {}

  /** The fragments that carry a replica; part 0 is the header. */
  public static List<DeviceActor.ReplicaFragment> fragments(String runId, ModelConfig config, Parameters weights, AdamW optimizer,
      long replicaStep, String committedState, WireFormat format, int fragmentBytes, long transferId) {
    List<WireMessage> parts = new ArrayList<>();
    parts.add(new Header(config, weights.names().toArray(new String[0]), optimizer.step(), replicaStep, committedState));
    for (Map.Entry<String, INDArray> e : weights.asMap().entrySet()) {
      String name = e.getKey();
      parts.add(new Tensor(name, e.getValue().shape(), floats(e.getValue()), floats(optimizer.firstMoment().get(name)),
          floats(optimizer.secondMoment().get(name))));
    }
    List<DeviceActor.ReplicaFragment> out = new ArrayList<>();
    for (int p = 0; p < parts.size(); p++) {
      byte[] bytes = format.toBytes(parts.get(p));
      for (WireFragment f : Fragments.split(bytes, fragmentBytes, transferId * 1_000_003L + p)) {
        out.add(new DeviceActor.ReplicaFragment(runId, p, parts.size(), f));
      }
    }
    return out;
  }

  /** Collects parts until the replica is whole. */
  public static final class Assembly {
    private final WireFormat format;
    private final Fragments.Reassembler reassembler;
    private Header header;
    private final List<Tensor> tensors = new ArrayList<>();
    private int parts = -1;
    private int received;

    public Assembly(WireFormat format, long maxMessageBytes) {
      this.format = format;
      this.reassembler = new Fragments.Reassembler(maxMessageBytes, 4);
    }

    /** Adds a fragment; returns the replica once every part has arrived, else null. */
    public Received add(DeviceActor.ReplicaFragment f) {
      parts = f.parts();
      byte[] whole = reassembler.add("replica", f.fragment());
      if (whole == null) {
        return null;
      }
      Object part = format.fromBytes(whole);
      if (part instanceof Header h) {
        header = h;
      } else {
        tensors.add((Tensor) part);
      }
      if (++received < parts || header == null) {
        return null;
      }
      Parameters w = new Parameters();
      Parameters m = new Parameters();
      Parameters v = new Parameters();
      Map<String, Tensor> byName = new java.util.HashMap<>();
      tensors.forEach(t -> byName.put(t.name(), t));
      for (String name : header.names()) {
        Tensor t = byName.get(name);
        if (t == null) {
          throw new IllegalStateException("replica transfer lacks tensor " + name);
        }
        w.put(name, Nd4j.create(t.weight(), t.shape(), 'c'));
        m.put(name, Nd4j.create(t.firstMoment(), t.shape(), 'c'));
        v.put(name, Nd4j.create(t.secondMoment(), t.shape(), 'c'));
      }
      return new Received(header.config(), w, m, v, header.optimizerStep(), header.replicaStep(), header.committedState());
    }
  }

  private static float[] floats(INDArray a) {
    return a.dup('c').data().asFloat();
  }
}

package io.worldring.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Named tensors in a fixed order: the model's weights, their gradients, or an optimizer moment.
 * Names follow {@link ParameterNames}; shapes follow the Hugging Face layout ([out, in] for projections).
 */
public final class Parameters {
  private final Map<String, INDArray> tensors = new LinkedHashMap<>();

  public Parameters put(String name, INDArray tensor) {
    tensors.put(name, tensor);
    return this;
  }

  public INDArray get(String name) {
    INDArray t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no tensor named " + name);
    }
    return t;
  }

  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(tensors.keySet());
  }

  public Map<String, INDArray> asMap() {
    return Collections.unmodifiableMap(tensors);
  }

  public int size() {
    return tensors.size();
  }

  public long elementCount() {
    long n = 0;
    for (INDArray t : tensors.values()) {
      n += t.length();
    }
    return n;
  }

  public DataType dataType() {
    return tensors.values().iterator().next().dataType();
  }

  /** Zero tensors of the same names, shapes and type (gradient accumulators, optimizer moments). */
  public Parameters zerosLike() {
    Parameters out = new Parameters();
    tensors.forEach((name, t) -> out.put(name, Nd4j.zeros(t.dataType(), t.shape())));
    return out;
  }

  /** A deep copy in row-major order. */
  public Parameters copy() {
    Parameters out = new Parameters();
    tensors.forEach((name, t) -> out.put(name, t.dup('c')));
    return out;
  }

  public Parameters castTo(DataType type) {
    Parameters out = new Parameters();
    tensors.forEach((name, t) -> out.put(name, t.castTo(type).dup('c')));
    return out;
  }

  public void zero() {
    tensors.values().forEach(t -> t.assign(0));
  }

  /** Adds {@code other} tensor by tensor (same names). */
  public void addi(Parameters other) {
    tensors.forEach((name, t) -> t.addi(other.get(name)));
  }

  public void muli(double factor) {
    tensors.values().forEach(t -> t.muli(factor));
  }

  /** Sum of squares of every element, accumulated in double. */
  public double squaredNorm() {
    double sum = 0;
    for (INDArray t : tensors.values()) {
      double n = t.norm2Number().doubleValue();
      sum += n * n;
    }
    return sum;
  }

  /** The largest difference between two parameter sets and where it is. */
  public record Difference(double value, String where) {
    @Override
    public String toString() {
      return "max relative difference " + value + " at " + where;
    }
  }

  /**
   * The largest difference from {@code other}, each tensor's relative to that tensor's largest entry:
   * max over tensors of max_i |a_i - b_i| / max_i |a_i|. (Elementwise relative error is meaningless for
   * entries near zero, whose rounding depends on the order of summation, e.g. a ring vs one device.)
   */
  public Difference maxScaledDifference(Parameters other) {
    double worst = 0;
    String at = "";
    for (String name : names()) {
      double[] x = get(name).castTo(DataType.DOUBLE).dup('c').data().asDouble();
      double[] y = other.get(name).castTo(DataType.DOUBLE).dup('c').data().asDouble();
      double scale = 0;
      for (double v : x) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int i = 0; i < x.length; i++) {
        double rel = Math.abs(x[i] - y[i]) / Math.max(scale, Double.MIN_NORMAL);
        if (!(rel <= worst)) {
          worst = rel;
          at = name + "[" + i + "]: " + x[i] + " vs " + y[i] + " (tensor max " + scale + ")";
        }
      }
    }
    return new Difference(worst, at);
  }

  /** Checks that {@code other} has exactly these names and shapes. */
  public void requireSameLayout(Parameters other, String what) {
    if (!tensors.keySet().equals(other.tensors.keySet())) {
      throw new BadInputException(what + ": tensor names differ; expected " + tensors.keySet() + " but found " + other.tensors.keySet());
    }
    for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
      long[] want = e.getValue().shape();
      long[] got = other.get(e.getKey()).shape();
      if (!java.util.Arrays.equals(want, got)) {
        throw new BadInputException(what + ": tensor " + e.getKey() + " has shape " + java.util.Arrays.toString(got)
            + ", expected " + java.util.Arrays.toString(want));
      }
    }
  }
}

package io.worldring.model.nn;

import io.worldring.model.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * SwiGLU feed-forward: y = down(silu(gate x) * up x).
 * silu'(z) = s (1 + z (1 - s)) with s = sigmoid(z).
 */
public final class SwiGluMlp {
  private final INDArray gate; // [hidden, dim]  (w1)
  private final INDArray up; // [hidden, dim]    (w3)
  private final INDArray down; // [dim, hidden]  (w2)
  private final String gateName;
  private final String upName;
  private final String downName;

  /** Activations backward needs. */
  public record Saved(INDArray x, INDArray gateOut, INDArray upOut, INDArray activated) {} // [tokens, dim], 3 x [tokens, hidden]

  public SwiGluMlp(Parameters p, String gateName, String upName, String downName) {
    this.gate = p.get(gateName);
    this.up = p.get(upName);
    this.down = p.get(downName);
    this.gateName = gateName;
    this.upName = upName;
    this.downName = downName;
  }

  /** @param x [tokens, dim] */
  public Saved hidden(INDArray x) {
    INDArray g = Linear.forward(x, gate); // [tokens, hidden]
    INDArray u = Linear.forward(x, up); // [tokens, hidden]
    INDArray activated = g.mul(Transforms.sigmoid(g, true)); // silu(g), [tokens, hidden]
    return new Saved(x, g, u, activated);
  }

  /** [tokens, dim] */
  public INDArray output(Saved s) {
    return Linear.forward(s.activated().mul(s.upOut()), down);
  }

  public INDArray forward(INDArray x) {
    return output(hidden(x));
  }

  /** Returns dx and adds the three weight gradients into {@code grads}. */
  public INDArray backward(Saved s, INDArray dy, Parameters grads) {
    INDArray product = s.activated().mul(s.upOut()); // [tokens, hidden]
    INDArray dProduct = Linear.backward(product, down, dy, grads.get(downName)); // [tokens, hidden]
    INDArray dUp = dProduct.mul(s.activated()); // [tokens, hidden]
    INDArray sig = Transforms.sigmoid(s.gateOut(), true); // [tokens, hidden]
    // silu'(g) = sig * (1 + g * (1 - sig))
    INDArray siluGrad = sig.rsub(1.0).muli(s.gateOut()).addi(1.0).muli(sig);
    INDArray dGate = dProduct.muli(s.upOut()).muli(siluGrad); // [tokens, hidden]
    INDArray dx = Linear.backward(s.x(), gate, dGate, grads.get(gateName));
    return dx.addi(Linear.backward(s.x(), up, dUp, grads.get(upName)));
  }
}

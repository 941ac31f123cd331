package io.worldring.model.nn;

import io.worldring.model.NativeMemory;
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

  /**
   * Activations backward needs; owns all but {@code x}.
   *
   * @param x input, [tokens, dim]
   * @param gateOut gate x, [tokens, hidden]
   * @param upOut up x, [tokens, hidden]
   * @param activated silu(gate x), [tokens, hidden]
   */
  public record Saved(INDArray x, INDArray gateOut, INDArray upOut, INDArray activated) {
    public void release() {
      NativeMemory.release(gateOut, upOut, activated);
    }
  }

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
    INDArray sig = Transforms.sigmoid(g, true); // [tokens, hidden]
    INDArray activated = sig.muli(g); // silu(g) = g sigmoid(g), [tokens, hidden]
    return new Saved(x, g, u, activated);
  }

  /** [tokens, dim] */
  public INDArray output(Saved s) {
    INDArray product = s.activated().mul(s.upOut()); // [tokens, hidden]
    INDArray y = Linear.forward(product, down);
    NativeMemory.release(product);
    return y;
  }

  public INDArray forward(INDArray x) {
    Saved s = hidden(x);
    INDArray y = output(s);
    s.release();
    return y;
  }

  /** Returns dx and adds the three weight gradients into {@code grads}. */
  public INDArray backward(Saved s, INDArray dy, Parameters grads) {
    INDArray product = s.activated().mul(s.upOut()); // [tokens, hidden]
    INDArray dProduct = Linear.backward(product, down, dy, grads.get(downName)); // [tokens, hidden]
    INDArray dUp = dProduct.mul(s.activated()); // [tokens, hidden]
    INDArray sig = Transforms.sigmoid(s.gateOut(), true); // [tokens, hidden]
    // silu'(g) = sig * (1 + g * (1 - sig))
    INDArray siluGrad = sig.rsub(1.0).muli(s.gateOut()).addi(1.0).muli(sig);
    INDArray dGate = dProduct.muli(s.upOut()).muli(siluGrad); // [tokens, hidden], in dProduct's memory
    INDArray dx = Linear.backward(s.x(), gate, dGate, grads.get(gateName));
    INDArray dxUp = Linear.backward(s.x(), up, dUp, grads.get(upName));
    dx.addi(dxUp);
    NativeMemory.release(product, dProduct, dUp, sig, siluGrad, dxUp);
    return dx;
  }
}

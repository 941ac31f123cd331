package io.worldring.model.train;

import io.worldring.model.NativeMemory;
import io.worldring.model.Parameters;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * AdamW (Loshchilov and Hutter) with decoupled weight decay:
 * <pre>
 *   m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2
 *   p = p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) - lr wd p
 * </pre>
 * Weight decay applies to matrices only (rank 2); RMSNorm weights are not decayed.
 */
public final class AdamW {
  private final OptimizerConfig config;
  private final Parameters firstMoment;
  private final Parameters secondMoment;
  private long step; // updates applied so far

  public AdamW(OptimizerConfig config, Parameters params) {
    this(config, params.zerosLike(), params.zerosLike(), 0);
  }

  /** Restores a saved state. */
  public AdamW(OptimizerConfig config, Parameters firstMoment, Parameters secondMoment, long step) {
    this.config = config;
    this.firstMoment = firstMoment;
    this.secondMoment = secondMoment;
    this.step = step;
  }

  public OptimizerConfig config() {
    return config;
  }

  public Parameters firstMoment() {
    return firstMoment;
  }

  public Parameters secondMoment() {
    return secondMoment;
  }

  public long step() {
    return step;
  }

  /** Applies one update in place with the given learning rate. */
  public void update(Parameters params, Parameters grads, double learningRate) {
    step++;
    double b1 = config.beta1();
    double b2 = config.beta2();
    double bias1 = 1 - Math.pow(b1, step);
    double bias2 = 1 - Math.pow(b2, step);
    for (Map.Entry<String, INDArray> e : params.asMap().entrySet()) {
      INDArray p = e.getValue();
      INDArray g = grads.get(e.getKey());
      INDArray m = firstMoment.get(e.getKey());
      INDArray v = secondMoment.get(e.getKey());
      INDArray scaledGrad = g.mul(1 - b1);
      m.muli(b1).addi(scaledGrad);
      INDArray squaredGrad = g.mul(g).muli(1 - b2);
      v.muli(b2).addi(squaredGrad);
      INDArray denominator = Transforms.sqrt(v.div(bias2), false).addi(config.eps());
      INDArray update = m.div(bias1).divi(denominator);
      if (config.weightDecay() > 0 && p.rank() == 2) {
        p.muli(1 - learningRate * config.weightDecay());
      }
      p.subi(update.muli(learningRate));
      NativeMemory.release(scaledGrad, squaredGrad, denominator, update);
    }
  }
}

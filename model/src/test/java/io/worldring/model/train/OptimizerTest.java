package io.worldring.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.worldring.model.Parameters;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class OptimizerTest {

  @Test
  void adamWMatchesTheFormulaByHand() {
    OptimizerConfig cfg = new OptimizerConfig(0.1, 0, "constant", 0, 10, 0.9, 0.95, 1e-8, 0.1, 0);
    Parameters p = new Parameters()
        .put("m", Nd4j.create(new double[] {1.0, -2.0}, new long[] {1, 2}, DataType.DOUBLE)) // matrix: decayed
        .put("n", Nd4j.create(new double[] {0.5}, new long[] {1}, DataType.DOUBLE)); // vector: not decayed
    Parameters g = new Parameters()
        .put("m", Nd4j.create(new double[] {0.2, 0.4}, new long[] {1, 2}, DataType.DOUBLE))
        .put("n", Nd4j.create(new double[] {-0.3}, new long[] {1}, DataType.DOUBLE));
    AdamW adam = new AdamW(cfg, p);
    adam.update(p, g, 0.1);
    adam.update(p, g, 0.1);
    // By hand, two steps with the same gradient: m_hat = g and v_hat = g^2, so each step moves lr * sign(g).
    double w = 1.0;
    for (int t = 0; t < 2; t++) {
      w = w * (1 - 0.1 * 0.1) - 0.1 * 0.2 / (Math.abs(0.2) + 1e-8);
    }
    assertEquals(w, p.get("m").getDouble(0, 0), 1e-12);
    assertEquals(0.5 + 2 * 0.1 * 0.3 / (0.3 + 1e-8), p.get("n").getDouble(0), 1e-12);
    assertEquals(2, adam.step());
  }

  @Test
  void warmupThenConstantOrCosine() {
    OptimizerConfig constant = OptimizerConfig.lwm(4e-5, 100, 1200);
    assertEquals(4e-7, constant.learningRateAt(0), 1e-15);
    assertEquals(4e-5, constant.learningRateAt(99), 1e-15);
    assertEquals(4e-5, constant.learningRateAt(1000), 1e-15);
    OptimizerConfig cosine = new OptimizerConfig(1.0, 10, "cosine", 0.1, 110, 0.9, 0.95, 1e-8, 0, 1);
    assertEquals(1.0, cosine.learningRateAt(10), 1e-12);
    assertEquals(0.55, cosine.learningRateAt(60), 1e-12);
    assertEquals(0.1, cosine.learningRateAt(110), 1e-12);
    assertEquals(0.1, cosine.learningRateAt(500), 1e-12);
  }

  @Test
  void clippingScalesToTheGlobalNorm() {
    Parameters g = new Parameters()
        .put("a", Nd4j.create(new double[] {3.0}, new long[] {1}, DataType.DOUBLE))
        .put("b", Nd4j.create(new double[] {4.0}, new long[] {1}, DataType.DOUBLE));
    assertEquals(5.0, GradientClipping.clip(g, 1.0), 1e-12);
    assertEquals(0.6, g.get("a").getDouble(0), 1e-12);
    assertEquals(0.8, g.get("b").getDouble(0), 1e-12);
    assertEquals(1.0, GradientClipping.clip(g, 2.0), 1e-12);
    assertEquals(0.6, g.get("a").getDouble(0), 1e-12, "under the limit nothing changes");
  }
}

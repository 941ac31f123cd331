package io.worldring.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class ParameterLayoutTest {
  @Test
  void theCountMatchesTheListedShapes() {
    for (String preset : ModelConfig.PRESETS) {
      ModelConfig c = ModelConfig.preset(preset);
      assertEquals(ParameterLayout.shapes(c).size(), ParameterLayout.tensorCount(c), preset);
    }
    ModelConfig vision = new ModelConfig(8, 2, 2, 1, 16, 12, 1e-5, 10_000, 32, true, 10);
    assertEquals(ParameterLayout.shapes(vision).size(), ParameterLayout.tensorCount(vision), "tied, with vision tables");
  }

  /** A damaged config claiming 2^31-1 layers is refused at once, not after listing billions of names. */
  @Test
  void aConfigClaimingBillionsOfLayersIsRefusedAtOnce() {
    ModelConfig small = new ModelConfig(8, 1, 2, 1, 16, 12, 1e-5, 10_000, 32, false, 0);
    Parameters p = ParameterLayout.initialize(small, 1, DataType.FLOAT);
    ModelConfig claimed = new ModelConfig(8, Integer.MAX_VALUE, 2, 1, 16, 12, 1e-5, 10_000, 32, false, 0);
    BadInputException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5),
        () -> assertThrows(BadInputException.class, () -> ParameterLayout.validate(claimed, p, "ck/model.safetensors")));
    assertTrue(e.getMessage().startsWith("ck/model.safetensors: the config (2147483647 layers) needs"), e.getMessage());
  }

  /**
   * Resetting attention scores draws every layer's query and key projections afresh (the spread a fresh
   * model has, deterministic in the seed) and leaves every other tensor as it was.
   */
  @Test
  void resettingAttentionScoresRedrawsQueryAndKeyProjectionsOnly() {
    ModelConfig c = new ModelConfig(16, 3, 4, 2, 32, 12, 1e-5, 10_000, 32, false, 10);
    Parameters trained = ParameterLayout.initialize(c, 1, DataType.FLOAT);
    trained.asMap().values().forEach(t -> t.muli(3)); // stands in for training: nothing keeps its initial values
    Parameters reset = ParameterLayout.resetAttentionScores(c, trained, 7);
    assertEquals(trained.asMap().keySet(), reset.asMap().keySet());
    int redrawn = 0;
    for (String name : trained.asMap().keySet()) {
      boolean scores = name.endsWith("self_attn.q_proj.weight") || name.endsWith("self_attn.k_proj.weight");
      if (scores) {
        redrawn++;
        assertNotEquals(trained.get(name), reset.get(name), name + " is redrawn");
        double std = reset.get(name).stdNumber().doubleValue();
        assertEquals(0.02, std, 0.006, name + ": a fresh model's spread, not the trained one's (" + std + ")");
        assertEquals(trained.get(name).shapeInfoToString(), reset.get(name).shapeInfoToString(), name);
      } else {
        assertTrue(trained.get(name) == reset.get(name), name + " is kept as it was");
      }
    }
    assertEquals(2 * c.nLayers(), redrawn);
    Parameters again = ParameterLayout.resetAttentionScores(c, trained, 7);
    Parameters other = ParameterLayout.resetAttentionScores(c, trained, 8);
    String q0 = ParameterNames.qProj(0);
    assertEquals(reset.get(q0), again.get(q0), "deterministic in the seed: every device of a ring draws the same");
    assertNotEquals(reset.get(q0), other.get(q0), "another seed, other values");
  }
}

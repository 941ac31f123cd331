package io.worldring.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}

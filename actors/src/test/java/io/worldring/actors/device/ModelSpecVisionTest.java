package io.worldring.actors.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldring.model.BadInputException;
import io.worldring.model.ModelConfig;
import io.worldring.model.ParameterLayout;
import io.worldring.model.ParameterNames;
import io.worldring.model.Parameters;
import io.worldring.model.io.Checkpoint;
import io.worldring.model.train.AdamW;
import io.worldring.model.train.OptimizerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** A vision stage starting from a text stage's checkpoint: the text weights carry over, vision tables are added. */
class ModelSpecVisionTest {
  static final ModelConfig TEXT = new ModelConfig(32, 2, 4, 2, 48, 272, 1e-5, 10_000, 128, false);
  static final OptimizerConfig OPT = new OptimizerConfig(1e-3, 1, "constant", 0, 0, 0.9, 0.95, 1e-8, 0.1, 1.0);

  @Test
  void aTextCheckpointGainsVisionTables(@TempDir Path dir) {
    Parameters text = ParameterLayout.initialize(TEXT, 3, DataType.FLOAT);
    Checkpoint.save(dir.resolve("text"), TEXT, text, new AdamW(OPT, text), 5, null);
    ModelConfig vision = TEXT.withVisionVocab(18).withRopeTheta(50_000);
    ModelSpec spec = new ModelSpec(vision, 9, dir.resolve("text").toString(), false, OPT, 16, false);
    ModelSpec.Replica r = spec.build();
    assertEquals(18, r.model().config().visionVocabSize());
    assertEquals(50_000, r.model().config().ropeTheta(), "the stage's theta");
    Parameters p = r.model().parameters();
    Parameters expected = ParameterLayout.addVisionTables(vision, ParameterLayout.initialize(TEXT, 3, DataType.FLOAT), 9);
    for (String name : expected.asMap().keySet()) {
      assertEquals(expected.get(name), p.get(name), name);
    }
    assertEquals(18, p.get(ParameterNames.VISION_HEAD).size(0));
    BadInputException resume = assertThrows(BadInputException.class, () -> spec.resumingFrom(dir.resolve("text").toString()).build());
    assertTrue(resume.getMessage().contains("cannot resume a vision stage's optimizer"), resume.getMessage());
    Checkpoint.save(dir.resolve("vision"), vision, p, r.optimizer(), 6, null);
    BadInputException other = assertThrows(BadInputException.class,
        () -> new ModelSpec(TEXT.withVisionVocab(34), 9, dir.resolve("vision").toString(), false, OPT, 16, false).build());
    assertTrue(other.getMessage().contains("its vision vocabulary is 18, this stage's is 34"), other.getMessage());
  }

  /**
   * A stage that resets attention starts from the checkpoint's weights but with fresh query and key
   * projections; resuming that stage from its own checkpoint keeps what it trained.
   */
  @Test
  void aResetAttentionStageRedrawsScoresAtItsStartOnly(@TempDir Path dir) {
    Parameters text = ParameterLayout.initialize(TEXT, 3, DataType.FLOAT);
    Checkpoint.save(dir.resolve("text"), TEXT, text, new AdamW(OPT, text), 5, null);
    ModelConfig vision = TEXT.withVisionVocab(18);
    ModelSpec spec = new ModelSpec(vision, 9, dir.resolve("text").toString(), false, OPT, 16, false, true);
    ModelSpec.Replica r = spec.build();
    Parameters expected = ParameterLayout.resetAttentionScores(vision,
        ParameterLayout.addVisionTables(vision, ParameterLayout.initialize(TEXT, 3, DataType.FLOAT), 9), 9);
    Parameters p = r.model().parameters();
    for (String name : expected.asMap().keySet()) {
      assertEquals(expected.get(name), p.get(name), name);
    }
    String q1 = ParameterNames.qProj(1);
    assertNotEquals(text.get(q1), p.get(q1), "the query projection is redrawn");
    assertEquals(text.get(ParameterNames.vProj(1)), p.get(ParameterNames.vProj(1)), "values are the text model's");

    Checkpoint.save(dir.resolve("mid"), vision, p, r.optimizer(), 7, null);
    Parameters resumed = spec.resumingFrom(dir.resolve("mid").toString()).build().model().parameters();
    assertEquals(p.get(q1), resumed.get(q1), "resuming within the stage keeps the trained projections");
  }
}

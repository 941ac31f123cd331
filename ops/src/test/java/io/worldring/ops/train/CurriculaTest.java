package io.worldring.ops.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.worldring.actors.supervisor.RunPlan;
import io.worldring.actors.supervisor.Stage;
import io.worldring.datasets.vision.world.QuestionType;
import io.worldring.model.BadInputException;
import io.worldring.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The curriculum presets load as the tables say, and stage configs are checked. */
class CurriculaTest {
  static List<Stage> stages(String curriculum, String preset) {
    Config c = RunConfig.load(null, Map.of("curriculum", curriculum, "preset", preset));
    return Curricula.stages(c, RunConfig.settings(c), ModelConfig.preset(preset));
  }

  @Test
  void lwmTextTableLoadsAndValidates(@TempDir Path dir) {
    List<Stage> s = stages("lwm-text-1m", "llama2-7b");
    assertEquals(List.of(32768, 131072, 262144, 524288, 1048576), s.stream().map(Stage::seqLen).toList());
    assertEquals(List.of(1e6, 1e7, 1e7, 2.5e7, 5e7), s.stream().map(Stage::ropeTheta).toList());
    assertEquals(List.of(1200, 3000, 3000, 720, 450), s.stream().map(Stage::steps).toList());
    s.forEach(st -> assertEquals(4 * 1024 * 1024, st.tokensPerBatch()));
    s.forEach(st -> assertEquals(4e-5, st.learningRate()));
    s.forEach(st -> assertEquals(-1, st.data().minDocTokens(), "each stage reads books at least its length"));
    Config c = RunConfig.load(null, Map.of("curriculum", "lwm-text-1m", "preset", "llama2-7b"));
    RunPlan plan = TrainingRun.plan(RunConfig.settings(c), c, dir.resolve("run"), Long.MAX_VALUE);
    assertEquals(1200 + 3000 + 3000 + 720 + 450, plan.totalSteps());
  }

  @Test
  void tinyAndSmallScaleTheRecipeDown() {
    List<Stage> tiny = stages("tiny", "tiny");
    assertEquals(List.of(256, 512, 1024, 1024), tiny.stream().map(Stage::seqLen).toList());
    assertTrue(tiny.get(3).chat());
    assertEquals("ctx-1k", tiny.get(3).initFromStage(), "the chat stage starts from the pre-trained model of its context length");
    assertEquals(0.0, tiny.get(3).data().booksWeight());
    List<Stage> small = stages("small", "small");
    assertEquals(List.of(1024, 2048, 4096, 8192, 8192), small.stream().map(Stage::seqLen).toList());
    for (int i = 1; i < 4; i++) {
      assertTrue(small.get(i).ropeTheta() > small.get(i - 1).ropeTheta(), "theta grows with the context");
    }
    assertEquals((4_000_000 + 16383) / 16384, small.get(0).steps(), "steps from tokens, rounded up");
  }

  @Test
  void visionSmallIsTheCurriculumThatWasMeasured() {
    // docs/vision-small.md measured exactly this; a change here needs a new measurement there.
    List<Stage> s = stages("vision-small", "small");
    assertEquals(List.of("text-512", "video-qa-4f", "video-qa-20f"), s.stream().map(Stage::name).toList());
    assertEquals(List.of(62, 500, 200), s.stream().map(Stage::steps).toList());
    assertEquals(List.of(false, true, false), s.stream().map(Stage::resetAttention).toList());
    s.forEach(st -> assertEquals("constant", st.schedule(), st.name()));
    s.forEach(st -> assertEquals(10000.0, st.ropeTheta(), st.name()));
    for (Stage st : s.subList(1, 3)) {
      assertEquals(List.of(QuestionType.FIRST_COLOUR), st.data().vision().askedTypes(), st.name());
      assertEquals("small", st.data().vision().world(), st.name());
    }
    assertEquals(List.of(4, 20), s.subList(1, 3).stream().map(st -> st.data().vision().frames()).toList());
  }

  @Test
  void stagesAreChecked(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("c.conf");
    Files.writeString(conf, "worldring.curricula.x = [\n  { name = a, seq-len = 100, steps = 2, tokens-per-batch = 150 }\n]\n");
    Config c = RunConfig.load(conf, Map.of("curriculum", "x"));
    BadInputException e = assertThrows(BadInputException.class, () -> Curricula.stages(c, RunConfig.settings(c), ModelConfig.preset("tiny")));
    assertTrue(e.getMessage().contains("multiple of seq-len"), e.getMessage());
    Files.writeString(conf, "worldring.curricula.x = [\n  { name = a, seq-len = 64, steps = 2, init-from-stage = b }\n"
        + "  { name = b, seq-len = 64, steps = 2 }\n]\n");
    Config c2 = RunConfig.load(conf, Map.of("curriculum", "x"));
    e = assertThrows(BadInputException.class, () -> TrainingRun.plan(RunConfig.settings(c2), c2, dir.resolve("r"), Long.MAX_VALUE));
    assertTrue(e.getMessage().contains("not an earlier stage"), e.getMessage());
  }

  /** A stage may set its own schedule (the run's otherwise) and reset attention; a bad schedule names the stage. */
  @Test
  void aStageSetsItsScheduleAndAttentionReset(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("c.conf");
    Files.writeString(conf, "worldring.curricula.x = [\n  { name = a, seq-len = 64, steps = 2 }\n"
        + "  { name = b, seq-len = 64, steps = 2, schedule = constant, reset-attention = true }\n]\n");
    Config c = RunConfig.load(conf, Map.of("curriculum", "x"));
    RunPlan plan = TrainingRun.plan(RunConfig.settings(c), c, dir.resolve("r"), Long.MAX_VALUE);
    assertEquals("cosine", plan.optimizer(plan.stages().get(0)).schedule(), "the run's schedule");
    assertEquals(false, plan.stages().get(0).resetAttention());
    assertEquals("constant", plan.optimizer(plan.stages().get(1)).schedule());
    assertEquals(true, plan.stages().get(1).resetAttention());
    Files.writeString(conf, "worldring.curricula.x = [\n  { name = a, seq-len = 64, steps = 2, schedule = linear }\n]\n");
    Config c2 = RunConfig.load(conf, Map.of("curriculum", "x"));
    BadInputException e = assertThrows(BadInputException.class, () -> Curricula.stages(c2, RunConfig.settings(c2), ModelConfig.preset("tiny")));
    assertTrue(e.getMessage().contains("stage 'a': schedule must be constant, cosine"), e.getMessage());
  }
}

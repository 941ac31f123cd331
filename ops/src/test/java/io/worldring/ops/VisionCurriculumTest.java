package io.worldring.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldring.datasets.vision.CodecTokenizer;
import io.worldring.datasets.vision.SampleMedia;
import io.worldring.model.ParameterNames;
import io.worldring.model.io.Checkpoint;
import io.worldring.ops.train.VisionTokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * LWM's stage II through `worldring train`: a text stage, then a vision stage that starts from its final
 * checkpoint with vision tables added and trains on the synthetic world over a ring of 2 devices; the
 * stage's tokenizer is kept beside the run, and `worldring ask` answers with the result.
 */
class VisionCurriculumTest {
  @Test
  void aTextStageThenAVisionStage(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("run.conf");
    Files.writeString(conf, """
        worldring.curricula.vt = [
          { name = text, seq-len = 256, steps = 4, tokens-per-batch = 512, learning-rate = 1e-3, warmup-steps = 1 }
          { name = vision, seq-len = 512, rope-theta = 50000, steps = 4, tokens-per-batch = 1024, learning-rate = 1e-3, warmup-steps = 1,
            data { books-weight = 0, vision { qa-weight = 0.5, caption-weight = 0.3, video-caption-weight = 0.2 } } }
        ]
        """);
    Path run = dir.resolve("run");
    CliRunner.Result train = CliRunner.run("train", "--config", conf.toString(), "--curriculum", "vt", "--devices", "2", "--run-dir",
        run.toString(), "--progress", "plain", "--metrics-port", "0");
    assertEquals(0, train.exitCode(), train.err() + train.out());
    assertTrue(train.out().contains("stage 2 vision (vision)") || train.err().contains("stage 2 vision (vision)"), train.out());

    List<String> steps = Files.readAllLines(run.resolve("metrics.jsonl"));
    assertEquals(8, steps.size());
    for (String line : steps.subList(4, 8)) {
      JsonNode n = new ObjectMapper().readTree(line);
      assertEquals("vision", n.get("stage").asText());
      assertTrue(Double.isFinite(n.get("loss").asDouble()) && n.get("loss").asDouble() > 0, line);
    }

    Path tokenizer = VisionTokenizers.dir(run, "vision");
    CodecTokenizer tok = CodecTokenizer.load(tokenizer);
    Checkpoint.Loaded ck = Checkpoint.load(Checkpoint.resolve(run), DataType.FLOAT);
    assertEquals(tok.codebookSize() + 2, ck.config().visionVocabSize(), "vision tables sized by the stage's tokenizer");
    assertEquals(tok.codebookSize() + 2, ck.weights().get(ParameterNames.VISION_HEAD).size(0));
    Checkpoint.Loaded text = Checkpoint.load(run.resolve("checkpoints").resolve(Checkpoint.stepDirName(4)), DataType.FLOAT);
    assertEquals(0, text.config().visionVocabSize(), "the text stage's checkpoint has no vision tables");

    Path gif = SampleMedia.extract(SampleMedia.GIF, dir);
    CliRunner.Result ask = CliRunner.run("ask", "--checkpoint", run.toString(), "--tokenizer", tokenizer.toString(), "--video", gif.toString(),
        "--question", "What moves?", "--max-frames", "4", "--choices", "balls,cars", "--json");
    assertEquals(0, ask.exitCode(), ask.err());
    JsonNode answer = new ObjectMapper().readTree(ask.out());
    assertTrue(answer.toString().contains("balls") && answer.toString().contains("cars"), ask.out());
  }
}

package io.worldring.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.worldring.config.HoconRecords;
import io.worldring.model.LlamaModel;
import io.worldring.model.ModelConfig;
import io.worldring.model.ParameterLayout;
import io.worldring.model.ParameterNames;
import io.worldring.model.Parameters;
import io.worldring.model.train.AdamW;
import io.worldring.model.train.BatchWeights;
import io.worldring.model.train.OptimizerConfig;
import io.worldring.model.train.SingleDeviceTrainer;
import io.worldring.model.train.TrainingSequence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** A vision model's checkpoint and config round trips; a text model's config reads and writes as before. */
class VisionCheckpointTest {
  static final ModelConfig CONFIG = CheckpointTest.CONFIG.withVisionVocab(11);
  static final ObjectMapper JSON = new ObjectMapper();

  static List<TrainingSequence> batch(int step) {
    int[] ids = new int[17];
    boolean[] vision = new boolean[17];
    for (int i = 0; i < ids.length; i++) {
      vision[i] = i >= 5 && i < 14;
      ids[i] = vision[i] ? (i * 3 + step) % 11 : (i * 7 + step * 3) % 40;
    }
    return BatchWeights.visionTextAverage(List.of(TrainingSequence.causal(ids, vision)), 0.5);
  }

  @Test
  void visionCheckpointRoundTripsBitExact(@TempDir Path dir) throws IOException {
    Parameters p = ParameterLayout.initialize(CONFIG, 7, DataType.FLOAT);
    SingleDeviceTrainer t = new SingleDeviceTrainer(new LlamaModel(CONFIG, p),
        new AdamW(new OptimizerConfig(1e-2, 1, "constant", 0, 20, 0.9, 0.95, 1e-8, 0.1, 1.0), p));
    for (int s = 0; s < 2; s++) {
      t.step(batch(s));
    }
    Path ck = dir.resolve("ck");
    Checkpoint.save(ck, CONFIG, p, t.optimizer(), 2, null);
    Checkpoint.Loaded loaded = Checkpoint.load(ck, DataType.FLOAT);
    assertEquals(CONFIG, loaded.config());
    assertTrue(loaded.weights().contains(ParameterNames.VISION_EMBED_TOKENS) && loaded.weights().contains(ParameterNames.VISION_HEAD));
    CheckpointTest.assertBitEqual(p, loaded.weights());
    CheckpointTest.assertBitEqual(t.optimizer().firstMoment(), loaded.firstMoment());
    CheckpointTest.assertBitEqual(t.optimizer().secondMoment(), loaded.secondMoment());
    assertEquals(11, JSON.readTree(Files.readString(ck.resolve(Checkpoint.MANIFEST))).path("model").path("visionVocabSize").asInt());
    assertEquals(11, JSON.readTree(Files.readString(ck.resolve(Checkpoint.HF_CONFIG))).path("vision_vocab_size").asInt());
    assertEquals(CONFIG, HfConfig.read(ck.resolve(Checkpoint.HF_CONFIG)));
    assertEquals(CONFIG, Checkpoint.readManifest(ck).config());
    // The checkpoint directory is also a model directory the importer reads, vision tables included.
    ImportedModel imported = HfImporter.read(ck);
    assertEquals(CONFIG, imported.config());
    CheckpointTest.assertBitEqual(p, imported.weights());

    // Training continues from it exactly as it would have without the save.
    SingleDeviceTrainer resumed = new SingleDeviceTrainer(new LlamaModel(loaded.config(), loaded.weights()),
        loaded.optimizer(t.optimizer().config()));
    assertEquals(t.step(batch(2)).loss(), resumed.step(batch(2)).loss(), 0.0);
    CheckpointTest.assertBitEqual(t.model().parameters(), resumed.model().parameters());
  }

  @Test
  void configsRoundTripThroughJsonAndHocon() throws IOException {
    ModelConfig text = CheckpointTest.CONFIG;
    JsonNode textJson = JSON.valueToTree(text);
    assertFalse(textJson.has("visionVocabSize"), "a text config writes no vision key: " + textJson);
    assertEquals(text, JSON.treeToValue(textJson, ModelConfig.class));
    assertFalse(HfConfig.toJson(text).has("vision_vocab_size"));
    JsonNode visionJson = JSON.valueToTree(CONFIG);
    assertEquals(11, visionJson.path("visionVocabSize").asInt());
    assertEquals(CONFIG, JSON.treeToValue(visionJson, ModelConfig.class));
    assertEquals(CONFIG, JSON.readValue(JSON.writeValueAsString(CONFIG), ModelConfig.class));

    String hocon = "model { dim = 32, n-layers = 2, n-heads = 4, n-kv-heads = 2, hidden-dim = 48, vocab-size = 40,"
        + " norm-eps = 1e-5, rope-theta = 10000, max-seq-len = 64, tied-embeddings = false, vision-vocab-size = %d }";
    assertEquals(CONFIG, HoconRecords.read(ConfigFactory.parseString(String.format(hocon, 11)), "model", ModelConfig.class));
    assertEquals(text, HoconRecords.read(ConfigFactory.parseString(String.format(hocon, 0)), "model", ModelConfig.class));
  }
}

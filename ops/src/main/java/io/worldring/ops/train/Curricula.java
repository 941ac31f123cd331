package io.worldring.ops.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.worldring.actors.supervisor.Stage;
import io.worldring.config.HoconRecords;
import io.worldring.datasets.source.LossWeighting;
import io.worldring.datasets.stage.DataMix;
import io.worldring.model.BadInputException;
import io.worldring.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The stages of a run: a named list under {@code worldring.curricula}, each stage over
 * {@code worldring.stage-defaults} (so unknown keys are errors with their file and line), or the
 * {@code single} curriculum made of {@code worldring.train}'s flat keys.
 */
public final class Curricula {
  public static final String PATH = "worldring.curricula";
  public static final String DEFAULTS = "worldring.stage-defaults";
  public static final String SINGLE = "single";

  private Curricula() {}

  public static List<Stage> stages(Config config, TrainSettings s, ModelConfig model) {
    if (s.curriculum().equals(SINGLE)) {
      double theta = s.ropeTheta() != 0 ? s.ropeTheta() : model.ropeTheta();
      DataMix data = new DataMix("bytes", s.data(), 0, 1, "", 0, "", 1000, 0, 0, LossWeighting.PER_EXAMPLE, "fail");
      return List.of(new Stage(SINGLE, s.seqLen(), theta, s.steps(), 0, s.seqLen() * s.batchSize(), s.optimizer().learningRate(),
          s.optimizer().warmupSteps(), false, "", data));
    }
    String path = PATH + "." + s.curriculum();
    try {
      if (!config.hasPath(path)) {
        throw new BadInputException(HoconRecords.where(config.getValue(RunConfig.PATH + ".curriculum").origin(), RunConfig.PATH + ".curriculum")
            + ": worldring.train.curriculum: '" + s.curriculum() + "' is not defined (known: single, "
            + String.join(", ", config.getObject(PATH).keySet()) + ")");
      }
      ConfigValue list = config.getValue(path);
      if (list.valueType() != ConfigValueType.LIST) {
        throw new BadInputException(HoconRecords.where(list.origin(), path) + ": a curriculum is a list of stages");
      }
      Config defaults = config.getConfig(DEFAULTS);
      List<Stage> out = new ArrayList<>();
      int i = 0;
      for (ConfigValue v : config.getList(path)) {
        String where = path + "[" + i++ + "]";
        if (v.valueType() != ConfigValueType.OBJECT) {
          throw new BadInputException(HoconRecords.where(v.origin(), where) + ": a stage is an object");
        }
        Config stage = ((ConfigObject) v).toConfig();
        checkKeys(stage, defaults, where);
        out.add(HoconRecords.read(stage.withFallback(defaults).atPath("stage"), "stage", Stage.class));
      }
      return out;
    } catch (ConfigException e) {
      throw HoconRecords.parseError(e);
    }
  }

  /** Names the stage's misspelt key with its file and line (the defaults would otherwise hide nothing, but say less). */
  private static void checkKeys(Config stage, Config defaults, String where) {
    for (var e : stage.entrySet()) {
      if (!defaults.hasPath(e.getKey())) {
        throw new BadInputException(HoconRecords.where(e.getValue().origin(), where + "." + e.getKey()) + ": unknown key '"
            + e.getKey() + "' in " + where + " (known: " + String.join(", ", defaults.root().keySet()) + ")");
      }
    }
  }
}

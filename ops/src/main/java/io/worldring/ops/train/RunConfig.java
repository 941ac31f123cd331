package io.worldring.ops.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import io.worldring.config.HoconRecords;
import io.worldring.model.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Loads {@code worldring.train} from reference.conf, an optional file, and command-line overrides. */
public final class RunConfig {
  public static final String PATH = "worldring.train";

  private RunConfig() {}

  /**
   * @param file a HOCON file, or null
   * @param overrides keys under {@code worldring.train} set on the command line (kebab-case)
   */
  public static Config load(Path file, Map<String, Object> overrides) {
    try {
      Config config = ConfigFactory.empty();
      if (!overrides.isEmpty()) {
        config = ConfigFactory.parseMap(overrides, "command line").atPath(PATH);
      }
      if (file != null) {
        if (!Files.isRegularFile(file)) {
          throw new BadInputException(file + ": no such config file");
        }
        Config fileConfig = ConfigFactory.parseFile(file.toFile(),
            ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
        checkSections(fileConfig, ConfigFactory.defaultReferenceUnresolved(RunConfig.class.getClassLoader()));
        config = config.withFallback(fileConfig);
      }
      Config reference = ConfigFactory.defaultReferenceUnresolved(RunConfig.class.getClassLoader());
      return config.withFallback(reference).resolve();
    } catch (ConfigException e) {
      throw HoconRecords.parseError(e);
    }
  }

  public static TrainSettings settings(Config config) {
    return HoconRecords.read(config, PATH, TrainSettings.class);
  }

  /** The resolved {@code worldring.train} section as HOCON text, for the run directory. */
  public static String render(Config config) {
    return config.getConfig(PATH).atPath(PATH).root()
        .render(ConfigRenderOptions.defaults().setOriginComments(false).setJson(false)) ;
  }

  /**
   * A file's sections under {@code worldring} must exist in the reference configuration (a typo in a
   * section name is an error with its file and line, not a silently ignored block).
   */
  private static void checkSections(Config file, Config reference) {
    if (!file.hasPath("worldring")) {
      return;
    }
    for (String k : file.getObject("worldring").keySet()) {
      if (!reference.hasPath("worldring." + k)) {
        throw new BadInputException(HoconRecords.where(file.getValue("worldring." + k).origin(), "worldring." + k)
            + ": unknown section 'worldring." + k + "'");
      }
    }
  }
}

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
    return load(file, overrides, ConfigFactory.empty());
  }

  /**
   * As {@link #load(Path, Map)}, with configuration profiles ({@code ConfigProfiles}) under the file and over
   * reference.conf. They belong here, not under the result: it carries every reference default, which would
   * hide them.
   */
  public static Config load(Path file, Map<String, Object> overrides, Config profiles) {
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
      return config.withFallback(profiles).withFallback(reference).resolve();
    } catch (ConfigException e) {
      throw HoconRecords.parseError(e);
    }
  }

  public static TrainSettings settings(Config config) {
    return HoconRecords.read(config, PATH, TrainSettings.class);
  }

  /**
   * What a run directory's run.conf holds: the resolved {@code worldring.train} section, the stage defaults
   * and the curriculum it names, as HOCON text.
   */
  public static String render(Config config) {
    return runSections(config).root().render(ConfigRenderOptions.defaults().setOriginComments(false).setJson(false));
  }

  private static Config runSections(Config config) {
    Config out = config.getConfig(PATH).atPath(PATH).withFallback(config.getConfig(Curricula.DEFAULTS).atPath(Curricula.DEFAULTS));
    String curriculum = config.getString(PATH + ".curriculum");
    String path = Curricula.PATH + "." + curriculum;
    if (config.hasPath(path)) {
      out = out.withFallback(config.getValue(path).atPath(path));
    }
    return out;
  }

  /**
   * The first setting (as "--key" for worldring.train's keys, else its config path) in which two
   * configurations' run sections differ, ignoring {@code ignored} keys of worldring.train; null if none.
   */
  public static String difference(Config a, Config b, java.util.Set<String> ignored) {
    Config ra = runSections(a);
    Config rb = runSections(b);
    java.util.Set<String> keys = new java.util.TreeSet<>();
    ra.entrySet().forEach(e -> keys.add(e.getKey()));
    rb.entrySet().forEach(e -> keys.add(e.getKey()));
    for (String k : keys) {
      String local = k.startsWith(PATH + ".") ? k.substring(PATH.length() + 1) : null;
      if (local != null && ignored.contains(local)) {
        continue;
      }
      Object va = ra.hasPath(k) ? ra.getValue(k).unwrapped() : null;
      Object vb = rb.hasPath(k) ? rb.getValue(k).unwrapped() : null;
      boolean same = va instanceof Number na && vb instanceof Number nb ? na.doubleValue() == nb.doubleValue() : java.util.Objects.equals(va, vb);
      if (!same) {
        return local != null ? "--" + local.replace("optimizer.learning-rate", "lr").replace("optimizer.", "").replace("seed", "random-seed") : k;
      }
    }
    return null;
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

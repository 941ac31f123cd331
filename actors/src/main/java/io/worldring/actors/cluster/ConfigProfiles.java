package io.worldring.actors.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.worldring.model.BadInputException;
import java.util.List;

/**
 * Named configuration profiles shipped with worldring ({@code io/worldring/profiles/NAME.conf} on the class
 * path): deployment settings a node opts into with {@code --profile NAME}, layered over reference.conf and
 * under the run's own configuration and flags. Later profiles in the list win over earlier ones.
 */
public final class ConfigProfiles {
  /** The profiles this build ships. */
  public static final List<String> KNOWN = List.of("kubernetes", "secure");

  private ConfigProfiles() {}

  public static Config load(List<String> names) {
    Config c = ConfigFactory.empty();
    for (String name : names) {
      if (!KNOWN.contains(name)) {
        throw new BadInputException("unknown configuration profile '" + name + "' (known: " + String.join(", ", KNOWN) + ")");
      }
      String resource = "io/worldring/profiles/" + name + ".conf";
      Config profile = ConfigFactory.parseResources(ConfigProfiles.class.getClassLoader(), resource,
          ConfigParseOptions.defaults().setAllowMissing(false));
      c = profile.withFallback(c);
    }
    return c;
  }
}

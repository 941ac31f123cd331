package io.worldring.ops.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of another JVM like this one: the same java, class path, memory limits, system
 * properties, module openings (ND4J needs them) and added modules (the vector attention kernel), running
 * the worldring command line with {@code args}. Debugger and agent options are not copied: they would
 * clash with this JVM's.
 */
final class ChildJvm {
  private ChildJvm() {}

  static List<String> command(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> ours = ManagementFactory.getRuntimeMXBean().getInputArguments();
    for (int i = 0; i < ours.size(); i++) {
      String a = ours.get(i);
      if (a.equals("--add-opens") || a.equals("--add-exports") || a.equals("--add-modules")) {
        if (i + 1 < ours.size()) {
          cmd.add(a);
          cmd.add(ours.get(++i));
        }
      } else if (a.startsWith("-Xmx") || a.startsWith("-Xms") || a.startsWith("-Xss") || a.startsWith("-XX:") || a.startsWith("-D")
          || a.startsWith("--add-opens=") || a.startsWith("--add-exports=") || a.startsWith("--add-modules=")) {
        cmd.add(a);
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.worldring.ops.WorldringCli");
    cmd.addAll(args);
    return cmd;
  }
}

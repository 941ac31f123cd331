package io.worldring.ops.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.model.attention.BlockAttention;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.factory.Nd4j;

/** What a benchmark ran on, so numbers can be compared across runs and machines. */
public final class BenchEnvironment {
  private BenchEnvironment() {}

  public static void describe(ObjectNode out) {
    ObjectNode env = out.putObject("environment");
    String core = System.getenv("OPENBLAS_CORETYPE");
    if (core == null) {
      env.putNull("openblas_coretype");
    } else {
      env.put("openblas_coretype", core);
    }
    env.put("cpus", Runtime.getRuntime().availableProcessors());
    env.put("nd4j_threads", Nd4j.getEnvironment().maxMasterThreads());
    env.put("nd4j_backend", Nd4j.getBackend().getClass().getSimpleName());
    env.put("attention_softmax", BlockAttention.softmaxKernel());
    env.put("java", System.getProperty("java.version"));
    env.put("cpu", cpuModel());
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or not readable: the field says so
    }
    return "unknown";
  }
}

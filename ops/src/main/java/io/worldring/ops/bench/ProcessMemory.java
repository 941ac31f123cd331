package io.worldring.ops.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The whole process's memory beside the per-device figures a benchmark computes: the kernel's peak and
 * current resident set (Linux's {@code /proc/self/status}; absent elsewhere) and the JVM heap in use. All
 * devices of a one-JVM ring share these, so they bound the sum of the devices' memory, not one device's.
 */
final class ProcessMemory {
  private static final Path STATUS = Path.of("/proc/self/status");

  private ProcessMemory() {}

  static void describe(ObjectNode out) {
    out.put("heap_used_bytes", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    if (!Files.isReadable(STATUS)) {
      return;
    }
    try {
      for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmHWM:")) {
          out.put("peak_resident_bytes", kib(line));
        } else if (line.startsWith("VmRSS:")) {
          out.put("resident_bytes", kib(line));
        }
      }
    } catch (IOException | NumberFormatException e) {
      out.put("resident_error", e.toString());
    }
  }

  /** "VmHWM:   123456 kB" in bytes. */
  private static long kib(String line) {
    String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
    return Long.parseLong(parts[0]) * 1024;
  }
}

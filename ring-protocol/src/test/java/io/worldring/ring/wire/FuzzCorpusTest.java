package io.worldring.ring.wire;

import io.worldring.model.fuzz.CleanFailure;
import io.worldring.model.fuzz.FuzzCorpus;
import io.worldring.ring.TensorPayload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Replays {@code src/test/resources/fuzz-corpus/}: messages that exposed a bug in the wire format (named after
 * it) and representative ones the properties found. Each is refused, as a message or as a fragment, before
 * anything of the size it claims is allocated.
 */
class FuzzCorpusTest {
  static final WireFormat FORMAT = new WireFormat(TensorPayload.WireType.FP32, 1 << 20, List.of());
  static final long ALLOCATION_LIMIT = 8L << 20;

  @Test
  void messages() throws IOException {
    for (Path f : FuzzCorpus.files(FuzzCorpusTest.class, "wire")) {
      byte[] message = Files.readAllBytes(f);
      try {
        CleanFailure.refused(WireFormat.WireException.class, null, ALLOCATION_LIMIT, () -> FORMAT.fromBytes(message));
      } catch (AssertionError e) {
        throw new AssertionError("wire/" + f.getFileName() + ": " + e.getMessage(), e);
      }
    }
  }

  @Test
  void fragments() throws IOException {
    for (Path f : FuzzCorpus.files(FuzzCorpusTest.class, "fragments")) {
      WireFragment fragment = (WireFragment) FORMAT.fromBytes(Files.readAllBytes(f)); // well-formed on the wire
      Fragments.Reassembler r = new Fragments.Reassembler(1 << 20, 4);
      try {
        CleanFailure.refused(IllegalArgumentException.class, null, ALLOCATION_LIMIT, () -> r.add("peer", fragment));
      } catch (AssertionError e) {
        throw new AssertionError("fragments/" + f.getFileName() + ": " + e.getMessage(), e);
      }
    }
  }
}

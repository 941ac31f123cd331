package io.worldring.actors.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldring.actors.device.DeviceFaults;
import io.worldring.model.Parameters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults keyed by (device, step, phase) in a ring of 4 devices on an in-JVM cluster: forward hop, backward
 * hop, gradient reduction and after the commit, in both stages of a two-stage curriculum. The run completes,
 * the ledger holds every sample exactly once (and the same samples as a run without faults), and the final
 * weights equal the uninterrupted run's: a failed step is re-run on the same data with the same ring size.
 */
class SupervisorFaultTest {
  record Fault(int device, long step, DeviceFaults.Phase phase) {}

  /** Throws once at each planned fault. */
  static final class Planned implements DeviceFaults {
    final Set<Fault> pending = ConcurrentHashMap.newKeySet();
    final Set<Fault> fired = ConcurrentHashMap.newKeySet();

    Planned(List<Fault> faults) {
      pending.addAll(faults);
    }

    @Override
    public void check(int device, long step, Phase phase) {
      Fault f = new Fault(device, step, phase);
      if (pending.remove(f)) {
        fired.add(f);
        throw new IllegalStateException("injected fault " + f);
      }
    }
  }

  @Test
  void faultsAtEveryPhaseCostNothingButTime(@TempDir Path tmp) throws Exception {
    Path clean = SupervisedRuns.reference(tmp);
    SupervisedRuns.Recorder reference = SupervisedRuns.referenceRecord();

    List<Fault> faults = List.of(
        new Fault(1, 1, DeviceFaults.Phase.FORWARD_HOP),
        new Fault(2, 2, DeviceFaults.Phase.BACKWARD_HOP),
        new Fault(3, 3, DeviceFaults.Phase.GRADIENT_REDUCTION),
        new Fault(0, 4, DeviceFaults.Phase.AFTER_COMMIT),
        new Fault(2, 7, DeviceFaults.Phase.FORWARD_HOP),
        new Fault(1, 8, DeviceFaults.Phase.AFTER_COMMIT));
    Planned planned = new Planned(faults);
    Path faulty = tmp.resolve("faulty");
    SupervisedRuns.Recorder run = SupervisedRuns.run(SupervisedRuns.plan(faulty, SupervisedRuns.twoStages(), 2, Long.MAX_VALUE), 4, planned);

    assertEquals(Set.copyOf(faults), planned.fired, "every fault fired");
    assertEquals(10, run.steps.size(), "every step committed once");
    assertEquals(faults.size(), run.steps.get(run.steps.size() - 1).failures(), "failures counted: " + run.statuses);
    long reRun = run.steps.stream().filter(s -> s.attempts() > 1).count();
    assertEquals(4, reRun, "the four faults before a commit re-ran their step; the two after it did not");

    RunDirectory a = new RunDirectory(clean);
    RunDirectory b = new RunDirectory(faulty);
    List<JsonNode> ledger = b.ledgerEntries();
    assertExactlyOnce(ledger, SupervisedRuns.twoStages());
    assertEquals(digests(a.ledgerEntries()), digests(ledger), "the same samples as the run without faults");

    for (int i = 0; i < reference.steps.size(); i++) {
      assertEquals(reference.steps.get(i).loss(), run.steps.get(i).loss(), 0.0, "loss of step " + (i + 1));
    }
    Parameters expected = SupervisedRuns.finalWeights(clean, 10);
    Parameters actual = SupervisedRuns.finalWeights(faulty, 10);
    double diff = actual.maxScaledDifference(expected).value();
    System.out.printf("faults %d, final weights differ by %.2e (max scaled difference)%n", faults.size(), diff);
    assertTrue(diff <= 1e-5, "final weights equal the uninterrupted run's: " + diff);
  }

  /** Every stage's samples 0..(steps x batch - 1), each exactly once, in step order. */
  static void assertExactlyOnce(List<JsonNode> ledger, List<Stage> stages) {
    Set<String> seen = new HashSet<>();
    long expectedStep = 1;
    for (JsonNode e : ledger) {
      assertEquals(expectedStep++, e.get("step").asLong(), "ledger steps in order");
      for (int i = 0; i < e.get("samples").asInt(); i++) {
        String id = e.get("stage").asText() + ":" + (e.get("first_sample").asLong() + i);
        assertTrue(seen.add(id), "sample " + id + " used twice");
      }
    }
    for (Stage s : stages) {
      for (long i = 0; i < (long) s.steps() * s.batchSize(); i++) {
        assertTrue(seen.contains(s.name() + ":" + i), "sample " + s.name() + ":" + i + " never used");
      }
    }
  }

  static List<String> digests(List<JsonNode> ledger) {
    List<String> out = new ArrayList<>();
    ledger.forEach(e -> out.add(e.get("step") + "/" + e.get("digest").asText()));
    return out;
  }
}

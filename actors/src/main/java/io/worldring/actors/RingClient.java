package io.worldring.actors;

import io.worldring.actors.device.DeviceActor;
import io.worldring.actors.device.ModelSpec;
import io.worldring.actors.driver.StepOutcome;
import io.worldring.actors.driver.TrainingDriver;
import io.worldring.model.BadInputException;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.SequenceLayout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/** A blocking client of a {@link TrainingDriver} whose ring is formed: what the command line and tests call. */
public final class RingClient implements Ring {
  static final Duration TIMEOUT = Duration.ofMinutes(Long.getLong("worldring.ring.timeout-minutes", 30));

  private final ActorSystem<?> system;
  private final ActorRef<TrainingDriver.Command> driver;
  private final int devices;
  private final Runnable onClose;

  private RingClient(ActorSystem<?> system, ActorRef<TrainingDriver.Command> driver, int devices, Runnable onClose) {
    this.system = system;
    this.driver = driver;
    this.devices = devices;
    this.onClose = onClose;
  }

  /** Forms a ring of {@code ring} (in ring order) through {@code driver}; runs {@code onClose} when closed. */
  public static RingClient form(ActorSystem<?> system, ActorRef<TrainingDriver.Command> driver, String runId,
      ActorRef<DeviceActor.Command>[] ring, SequenceLayout layout, ModelSpec spec, Runnable onClose) {
    RingClient client = new RingClient(system, driver, ring.length, onClose);
    try {
      TrainingDriver.RingFormed formed = client.ask(reply -> new TrainingDriver.FormRing(runId, ring, layout, spec, reply));
      if (formed.error() != null) {
        throw new BadInputException("the ring could not form: " + formed.error());
      }
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
    return client;
  }

  @Override
  public int devices() {
    return devices;
  }

  @Override
  public StepOutcome step(long step, List<TrainingSequence> batch, double learningRate, boolean apply, boolean gradients) {
    StepOutcome outcome = ask(reply -> new TrainingDriver.RunStep(step, batch.toArray(new TrainingSequence[0]), learningRate, apply, gradients, reply));
    if (outcome.failed()) {
      throw new BadInputException("ring step " + step + " failed: " + outcome.error());
    }
    return outcome;
  }

  @Override
  public float[][] logits(List<TrainingSequence> batch, int[] positions) {
    StepOutcome outcome = ask(reply -> TrainingDriver.RunStep.logits(batch.toArray(new TrainingSequence[0]), positions, reply));
    if (outcome.failed()) {
      throw new BadInputException("ring inference failed: " + outcome.error());
    }
    return outcome.logits();
  }

  @Override
  public void saveCheckpoint(String directory, long step, String trainingStateJson) {
    TrainingDriver.CheckpointSaved saved =
        ask((ActorRef<TrainingDriver.CheckpointSaved> reply) -> new TrainingDriver.SaveCheckpoint(directory, step, trainingStateJson, reply));
    if (saved.error() != null) {
      throw new IllegalStateException("checkpoint " + directory + " was not written: " + saved.error());
    }
  }

  public ActorRef<TrainingDriver.Command> driver() {
    return driver;
  }

  private <R> R ask(Function<ActorRef<R>, TrainingDriver.Command> message) {
    CompletionStage<R> reply = AskPattern.ask(driver, message::apply, TIMEOUT, system.scheduler());
    try {
      return reply.toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the ring did not answer: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    onClose.run();
  }
}

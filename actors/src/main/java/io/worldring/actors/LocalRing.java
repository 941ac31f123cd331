package io.worldring.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.worldring.actors.device.DeviceActor;
import io.worldring.actors.device.ModelSpec;
import io.worldring.actors.driver.StepOutcome;
import io.worldring.actors.driver.TrainingDriver;
import io.worldring.model.BadInputException;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.SequenceLayout;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A ring of N device actors and a driver in one ActorSystem (messages by reference), with a blocking
 * API for the command line, tests and benchmarks.
 */
public final class LocalRing implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofMinutes(Long.getLong("worldring.ring.timeout-minutes", 30));

  private final ActorSystem<Void> system;
  private final ActorRef<TrainingDriver.Command> driver;
  private final ActorRef<DeviceActor.Command>[] devices;

  @SuppressWarnings("unchecked")
  private LocalRing(ActorSystem<Void> system, ActorRef<TrainingDriver.Command> driver, ActorRef<DeviceActor.Command>[] devices) {
    this.system = system;
    this.driver = driver;
    this.devices = devices;
  }

  /** Starts N devices and a driver, and forms the ring. */
  @SuppressWarnings("unchecked")
  public static LocalRing start(int n, SequenceLayout layout, ModelSpec spec, Config config) {
    return start(n, layout, spec, config, DeviceActor.LinkFactory.DIRECT);
  }

  /** As {@link #start(int, SequenceLayout, ModelSpec, Config)}, with the devices' links made by {@code links}. */
  @SuppressWarnings("unchecked")
  public static LocalRing start(int n, SequenceLayout layout, ModelSpec spec, Config config, DeviceActor.LinkFactory links) {
    ActorRef<DeviceActor.Command>[] devices = new ActorRef[n];
    CompletableFuture<ActorRef<TrainingDriver.Command>> driver = new CompletableFuture<>();
    Config full = config.withFallback(ConfigFactory.parseString("pekko.actor.provider = local")).withFallback(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
      for (int i = 0; i < n; i++) {
        devices[i] = ctx.spawn(DeviceActor.create(links), "device-" + i, DispatcherSelector.fromConfig("worldring.device-dispatcher"));
      }
      driver.complete(ctx.spawn(TrainingDriver.create(), "driver")); // publishes the refs to the caller's thread
      return Behaviors.empty();
    }), "worldring-local-" + UUID.randomUUID().toString().substring(0, 8), full);
    LocalRing ring;
    try {
      ring = new LocalRing(system, driver.get(30, TimeUnit.SECONDS), devices);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      system.terminate();
      throw new IllegalStateException("the ring's actors did not start", e);
    }
    try {
      TrainingDriver.RingFormed formed = ring.ask(reply -> new TrainingDriver.FormRing("local-" + UUID.randomUUID(), devices, layout, spec, reply));
      if (formed.error() != null) {
        throw new BadInputException("the ring could not form: " + formed.error());
      }
    } catch (RuntimeException e) {
      ring.close();
      throw e;
    }
    return ring;
  }

  public StepOutcome step(long step, List<TrainingSequence> batch, double learningRate, boolean apply, boolean gradients) {
    StepOutcome outcome = ask(reply -> new TrainingDriver.RunStep(step, batch.toArray(new TrainingSequence[0]), learningRate, apply, gradients, reply));
    if (outcome.failed()) {
      throw new BadInputException("ring step " + step + " failed: " + outcome.error());
    }
    return outcome;
  }

  public void saveCheckpoint(String directory, long step, String trainingStateJson) {
    ask((ActorRef<TrainingDriver.CheckpointSaved> reply) -> new TrainingDriver.SaveCheckpoint(directory, step, trainingStateJson, reply));
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public ActorRef<DeviceActor.Command>[] devices() {
    return devices.clone();
  }

  public ActorRef<TrainingDriver.Command> driver() {
    return driver;
  }

  private <R> R ask(java.util.function.Function<ActorRef<R>, TrainingDriver.Command> message) {
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
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // terminating anyway; nothing to clean up beyond the system
    }
  }
}

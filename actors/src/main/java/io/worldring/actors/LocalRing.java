package io.worldring.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.worldring.actors.device.DeviceActor;
import io.worldring.actors.device.ModelSpec;
import io.worldring.actors.driver.TrainingDriver;
import io.worldring.ring.SequenceLayout;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** A ring of N device actors and a driver in one ActorSystem: messages go by reference. */
public final class LocalRing {
  private LocalRing() {}

  public static Ring start(int n, SequenceLayout layout, ModelSpec spec, Config config) {
    return start(n, layout, spec, config, DeviceActor.LinkFactory.DIRECT);
  }

  /** As {@link #start(int, SequenceLayout, ModelSpec, Config)}, with the devices' links made by {@code links}. */
  @SuppressWarnings("unchecked")
  public static Ring start(int n, SequenceLayout layout, ModelSpec spec, Config config, DeviceActor.LinkFactory links) {
    ActorRef<DeviceActor.Command>[] devices = new ActorRef[n];
    CompletableFuture<ActorRef<TrainingDriver.Command>> driver = new CompletableFuture<>();
    Config full = config.withFallback(ConfigFactory.parseString("pekko.actor.provider = local")).withFallback(ConfigFactory.load());
    DeviceThreads.configure(full, n);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
      for (int i = 0; i < n; i++) {
        devices[i] = ctx.spawn(DeviceActor.create(links), "device-" + i, DispatcherSelector.fromConfig("worldring.device-dispatcher"));
      }
      driver.complete(ctx.spawn(TrainingDriver.create(), "driver")); // publishes the refs to the caller's thread
      return Behaviors.empty();
    }), "worldring-local-" + UUID.randomUUID().toString().substring(0, 8), full);
    ActorRef<TrainingDriver.Command> driverRef;
    try {
      driverRef = driver.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      system.terminate();
      throw new IllegalStateException("the ring's actors did not start", e);
    }
    return RingClient.form(system, driverRef, "local-" + UUID.randomUUID(), devices, layout, spec, () -> terminate(system));
  }

  static void terminate(ActorSystem<?> system) {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // it is going down regardless; nothing else holds resources
    }
  }
}

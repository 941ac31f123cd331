package io.worldring.actors.supervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldring.actors.device.DeviceActor;
import io.worldring.actors.device.ModelSpec;
import io.worldring.actors.driver.StepOutcome;
import io.worldring.actors.driver.TrainingDriver;
import io.worldring.datasets.source.SequenceStream;
import io.worldring.datasets.stage.StageData;
import io.worldring.model.BadInputException;
import io.worldring.model.ModelConfig;
import io.worldring.model.TrainingFlops;
import io.worldring.model.attention.TokenBlock;
import io.worldring.model.train.BatchWeights;
import io.worldring.model.train.OptimizerConfig;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.WireMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.CRC32;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Owns a run: which stage, which step, which data position, which devices form the ring. Run as a Cluster
 * Singleton; it keeps nothing that is not also in the run directory or with the device replicas, so a
 * successor on another node continues where it stopped.
 *
 * <p>Each step: draw the batch (once: a re-run uses the same one), run it on the ring, and on the commit
 * (every device holds the reduced gradient) log it to the ledger and advance the data position. A step that
 * fails before the commit is re-run on a re-formed ring; one that fails after it is not. Membership changes
 * (devices joining or leaving between steps) re-form the ring before the next step; joining devices copy a
 * live replica. Below {@code min-devices} it waits.
 *
 * <p>Stages run in order; each starts from the previous stage's final checkpoint (or the one it names),
 * with the stage's RoPE theta, sequence length, data and a fresh optimizer.
 */
public final class TrainingSupervisor extends AbstractBehavior<TrainingSupervisor.Command> {
  public sealed interface Command {}

  /** Asks for the run's {@link RunStatus} (sent through the singleton proxy from any node). */
  public record GetStatus(ActorRef<RunStatus> replyTo) implements Command, WireMessage {}

  private record DevicesListed(Receptionist.Listing listing) implements Command {}

  private record Formed(TrainingDriver.RingFormed formed) implements Command {}

  private record Stepped(StepOutcome outcome) implements Command {}

  private record Saved(TrainingDriver.CheckpointSaved saved) implements Command {}

  private enum Retry implements Command { INSTANCE }

  private enum Phase { WAITING, FORMING, STEPPING, SAVING, RETRYING, DONE }

  /** The step being run: drawn once, re-run as it is until it commits. */
  private record Pending(List<TrainingSequence> batch, TrainingState after, ObjectNode ledgerEntry) {}

  private final RunPlan plan;
  private final RunListener listener;
  private final boolean shutdownWhenDone;
  private final RunDirectory dir;
  private final TimerScheduler<Command> timers;
  private final ActorRef<TrainingDriver.Command> driver;
  private final ActorRef<TrainingDriver.RingFormed> formedAdapter;
  private final ActorRef<StepOutcome> steppedAdapter;
  private final ActorRef<TrainingDriver.CheckpointSaved> savedAdapter;

  private Phase phase = Phase.WAITING;
  private Set<ActorRef<DeviceActor.Command>> available = Set.of();
  private List<ActorRef<DeviceActor.Command>> ring; // null: no usable ring
  private int stageIndex;
  private Stage stage;
  private ModelSpec spec;
  private OptimizerConfig stageOptimizer;
  private SequenceStream stream;
  private TrainingState position; // the committed position
  private RunDirectory.CheckpointRef resume; // what replicas are built from when no device holds one
  private Pending pending;
  private boolean checkpointDue;
  private boolean reconciled;
  private long failures;
  private long membershipChanges;
  private int attempts;
  private long stepStarted;
  private String lastWaitingStatus = "";
  private boolean ringStale; // membership changed: re-form before the next step
  private String fatal;
  private final io.worldring.actors.metrics.NodeMetrics metrics;
  private long saveStarted;
  private final long startedAt = System.nanoTime();
  private long failedAt = -1; // nanos of the first failure not yet recovered from
  private StepRecord lastStep;
  private String lastStatus = "";
  private final double peakFlops; // per device, for MFU
  private double visionShare = -1; // the stage's vision loss share; -1 in a text stage
  private final String owner; // this incarnation, as claimed in the run directory's supervisor.owner

  /**
   * @param shutdownWhenDone tell every device's node to shut down when the run ends (a cluster of `worldring
   *     node` processes exits then)
   */
  public static Behavior<Command> create(RunPlan plan, RunListener listener, boolean shutdownWhenDone) {
    return Behaviors.<Command>supervise(Behaviors.withTimers(timers -> Behaviors.setup(ctx -> {
          TrainingSupervisor s = new TrainingSupervisor(ctx, timers, plan, listener, shutdownWhenDone);
          return s.fatal != null ? s.finish(s.fatal) : s;
        })))
        .onFailure(Exception.class, SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10), 0.2));
  }

  /** Starts the run's supervisor as this cluster's singleton (every node calls this with the same plan). */
  public static ActorRef<Command> singleton(ActorSystem<?> system, RunPlan plan, RunListener listener, boolean shutdownWhenDone) {
    return ClusterSingleton.get(system).init(SingletonActor.of(create(plan, listener, shutdownWhenDone), "training-supervisor"));
  }

  private TrainingSupervisor(ActorContext<Command> context, TimerScheduler<Command> timers, RunPlan plan, RunListener listener,
      boolean shutdownWhenDone) {
    super(context);
    this.plan = plan;
    this.listener = listener;
    this.shutdownWhenDone = shutdownWhenDone;
    this.timers = timers;
    this.dir = new RunDirectory(plan.runDir());
    this.owner = context.getSystem().address() + " " + java.util.UUID.randomUUID();
    this.metrics = io.worldring.actors.metrics.NodeMetrics.get(context.getSystem());
    metrics.supervisorHere.set(1);
    this.peakFlops = context.getSystem().settings().config().getDouble("worldring.metrics.peak-flops-per-device");
    this.driver = context.spawn(TrainingDriver.create(plan.formTimeout(), plan.stepTimeout()), "driver");
    this.formedAdapter = context.messageAdapter(TrainingDriver.RingFormed.class, Formed::new);
    this.steppedAdapter = context.messageAdapter(StepOutcome.class, Stepped::new);
    this.savedAdapter = context.messageAdapter(TrainingDriver.CheckpointSaved.class, Saved::new);
    // Subscribed before anything can fail: a run that ends at once (bad data at the first stage) still
    // hears of the devices that register afterwards, so it can tell their nodes to shut down.
    context.getSystem().receptionist().tell(Receptionist.subscribe(DeviceActor.SERVICE_KEY,
        context.messageAdapter(Receptionist.Listing.class, DevicesListed::new)));
    try {
      recover();
    } catch (BadInputException e) {
      fatal = e.getMessage();
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(DevicesListed.class, this::onDevicesListed)
        .onMessage(Formed.class, this::onFormed)
        .onMessage(Stepped.class, this::onStepped)
        .onMessage(Saved.class, this::onSaved)
        .onMessageEquals(Retry.INSTANCE, this::onRetry)
        .onMessage(GetStatus.class, this::onGetStatus)
        .build();
  }

  // ---- starting and stages

  /** Continues from the newest valid checkpoint, or starts the first stage. */
  private void recover() {
    RunDirectory.CheckpointRef latest = dir.latestCheckpoint(m -> status(m));
    if (latest == null) {
      enterStage(0, null);
      return;
    }
    TrainingState s = TrainingState.fromJson(latest.trainingState(), latest.dir().toString());
    if (s.stage() >= plan.stages().size() || !plan.stages().get(s.stage()).name().equals(s.stageName())) {
      throw new BadInputException(latest.dir() + ": stage '" + s.stageName() + "' (number " + s.stage()
          + ") is not in this run's curriculum at that place");
    }
    status("resuming from " + latest.dir().getFileName() + " (stage " + s.stageName() + ", step " + s.step() + ")");
    keepCounters(s);
    if (s.stageFinal()) {
      position = s;
      enterStage(s.stage() + 1, null);
    } else {
      enterStage(s.stage(), latest);
    }
  }

  /** Makes stage {@code index} current, at its start or at {@code from} (a checkpoint within it). */
  private void enterStage(int index, RunDirectory.CheckpointRef from) {
    stageIndex = index;
    ring = null;
    pending = null;
    if (index >= plan.stages().size()) {
      stage = null;
      return;
    }
    stage = plan.stages().get(index);
    String init = index == 0 && stage.initFromStage().isEmpty() ? plan.initFrom() : stageStart(stage, index);
    // A checkpoint records the context its weights were trained at (max_position_embeddings), as LWM's do.
    ModelConfig model = plan.model().withRopeTheta(stage.ropeTheta()).withMaxSeqLen(stage.seqLen());
    int visionVocab = StageData.visionVocab(stage.data());
    visionShare = visionVocab > 0 ? stage.data().vision().lossShare() : -1;
    if (visionVocab > 0) { // a vision stage (LWM stage II): the model gains vision tables sized by the stage's tokenizer
      model = model.withVisionVocab(visionVocab);
    }
    stageOptimizer = plan.optimizer(stage);
    spec = new ModelSpec(model, plan.seed(), init, false, stageOptimizer, plan.attentionBlock(), plan.recompute(), stage.resetAttention());
    stream = StageData.open(stage.data(), stage.seqLen(), plan.seed() * 1_000_003L + index);
    if (from != null) {
      position = TrainingState.fromJson(from.trainingState(), from.dir().toString());
      keepCounters(position);
      stream.restore(position.data());
      resume = from;
    } else {
      position = new TrainingState(index, stage.name(), 0, false, plan.stepsBefore(index), plan.seed(), stream.state(), null, failures,
          membershipChanges);
      resume = new RunDirectory.CheckpointRef(null, position.step(), position.toJson());
    }
    metrics.stageInfo.clear();
    metrics.stageInfo.labelValues(stage.name(), Integer.toString(stage.seqLen()), Double.toString(stage.ropeTheta())).set(1);
    listener.stageStarted(stage, index, position.stageStep());
  }

  /** The checkpoint a stage starts from: the final one of the stage it names, or of the previous stage. */
  private String stageStart(Stage s, int index) {
    String from = s.initFromStage().isEmpty() ? plan.stages().get(index - 1).name() : s.initFromStage();
    RunDirectory.CheckpointRef ck = dir.stageFinal(from);
    if (ck == null) {
      throw new BadInputException(dir.checkpoints() + ": no valid final checkpoint of stage '" + from + "', which stage '" + s.name()
          + "' starts from");
    }
    return ck.dir().toString();
  }

  // ---- the loop

  /**
   * Does whatever comes next: finish, save, change stage, form a ring, or run a step. Bad input (a data
   * file, a missing stage checkpoint) ends the run with its message; retrying would not fix it.
   */
  private Behavior<Command> next() {
    try {
      return proceed();
    } catch (BadInputException e) {
      return finish(e.getMessage());
    }
  }

  private Behavior<Command> proceed() {
    if (ring != null && !ringStale && !ring.equals(desiredRing())) {
      ringStale = true; // a device joined, or one left between steps
      membershipChanges++;
      metrics.membershipChanges.inc();
    }
    if (ringStale) {
      ring = null;
      ringStale = false;
    }
    if (stage == null || position.step() >= plan.stopAt() && !checkpointDue) {
      return finish(null);
    }
    if (checkpointDue) {
      return ring == null ? form() : save();
    }
    if (position.stageStep() >= stage.steps()) {
      enterStage(stageIndex + 1, null);
      return proceed();
    }
    return ring == null ? form() : runStep();
  }

  private Behavior<Command> form() {
    List<ActorRef<DeviceActor.Command>> usable = usableDevices();
    int n = RingSelection.size(usable.size(), stage.seqLen(), plan.layout(), plan.minDevices(), plan.maxDevices());
    if (n == 0) {
      String why = "waiting for devices: " + usable.size() + " usable, the ring needs at least " + plan.minDevices()
          + " over which seq-len " + stage.seqLen() + " splits evenly (" + plan.layout().name().toLowerCase() + ")";
      if (!why.equals(lastWaitingStatus)) {
        status(why);
        lastWaitingStatus = why;
      }
      phase = Phase.WAITING;
      // Members become usable when they are Up, which the device listing does not announce: look again.
      timers.startSingleTimer(Retry.INSTANCE, Duration.ofSeconds(1));
      return this;
    }
    lastWaitingStatus = "";
    List<ActorRef<DeviceActor.Command>> devices = RingSelection.pick(usable, n, this::orderKey);
    @SuppressWarnings("unchecked")
    ActorRef<DeviceActor.Command>[] array = devices.toArray(new ActorRef[0]);
    phase = Phase.FORMING;
    ring = devices;
    driver.tell(new TrainingDriver.FormRing(plan.runId(), array, plan.layout(), spec, resume.step(), resume.trainingState().toString(),
        resume.dir() == null ? "" : resume.dir().toString(), formedAdapter));
    return this;
  }

  private Behavior<Command> onFormed(Formed f) {
    if (phase != Phase.FORMING) {
      return this;
    }
    TrainingDriver.RingFormed r = f.formed();
    if (r.error() != null) {
      return failed("the ring of " + r.devices() + " did not form: " + r.error());
    }
    if (r.step() != position.step() || !reconciled) {
      adopt(r.step(), TrainingState.fromJson(RunDirectory.parse(r.committedState()), "the ring's replicas"));
    }
    getContext().getLog().info("ring of {} devices formed at step {}", r.devices(), r.step());
    return next();
  }

  /** Continues from what the ring holds (newer: a predecessor's progress; older: a fall-back to a checkpoint). */
  private void adopt(long step, TrainingState state) {
    if (step != position.step()) {
      status((step > position.step() ? "continuing from the devices' replicas" : "falling back to the checkpoint") + " at step " + step);
      if (state.stage() != stageIndex) {
        throw new IllegalStateException("replicas of stage " + state.stage() + " in stage " + stageIndex);
      }
      position = state;
      keepCounters(state);
      if (!reconciled && step > resume.step()) {
        failures++; // this supervisor took over from one that died (its node did): a failure like any other
        metrics.failures.inc();
        failedAt = startedAt;
      }
      stream.restore(state.data());
      pending = null;
      checkpointDue = false;
    }
    if (!reconciled) {
      dir.claim(owner); // first, so a predecessor that wakes after this logs nothing more
    }
    dir.reconcileLedger(step, state.last());
    dir.truncateMetrics(step);
    reconciled = true;
  }

  private Behavior<Command> runStep() {
    if (pending == null) {
      pending = draw();
      attempts = 0;
      stepStarted = System.nanoTime();
    }
    attempts++;
    phase = Phase.STEPPING;
    double lr = stageOptimizer.learningRateAt(position.stageStep());
    driver.tell(new TrainingDriver.RunStep(position.step(), pending.batch().toArray(new TrainingSequence[0]), lr, true, false,
        withCounters(pending.after()).toJson().toString(), null, steppedAdapter));
    return this;
  }

  private Pending draw() {
    long started = System.nanoTime();
    List<TrainingSequence> batch = new ArrayList<>(stage.batchSize());
    CRC32 crc = new CRC32();
    for (int i = 0; i < stage.batchSize(); i++) {
      TrainingSequence s = stream.next();
      batch.add(s);
      for (int t : s.tokens()) {
        crc.update(t);
      }
    }
    ObjectNode entry = RunDirectory.object();
    entry.put("step", position.step() + 1).put("stage", stage.name()).put("first_sample", position.stageStep() * stage.batchSize())
        .put("samples", stage.batchSize()).put("digest", Long.toHexString(crc.getValue()));
    long stageStep = position.stageStep() + 1;
    TrainingState after = new TrainingState(stageIndex, stage.name(), stageStep, stageStep == stage.steps(), position.step() + 1,
        plan.seed(), stream.state(), entry, failures, membershipChanges);
    if (visionShare >= 0) { // LWM averages the vision and the text loss apart and mixes them by the stage's share
      batch = new ArrayList<>(BatchWeights.visionTextAverage(batch, visionShare));
    }
    metrics.dataLoading.observe((System.nanoTime() - started) / 1e9);
    return new Pending(batch, after, entry);
  }

  private Behavior<Command> onStepped(Stepped s) {
    if (phase != Phase.STEPPING) {
      return this;
    }
    StepOutcome o = s.outcome();
    if (o.failed()) {
      metrics.stepsAborted.inc();
    }
    if (o.failed() && !o.committed()) {
      metrics.stepsRetried.inc();
      return failed("step " + (position.step() + 1) + " failed before its commit (it will run again): " + o.error());
    }
    if (!dir.owns(owner)) {
      return superseded("step " + (position.step() + 1));
    }
    commit(o);
    if (o.failed()) {
      return failed("a device failed after step " + position.step() + " committed: " + o.error());
    }
    return next();
  }

  /** The step is part of the weights: log it and advance. */
  private void commit(StepOutcome o) {
    dir.appendLedger(pending.ledgerEntry());
    double seconds = (System.nanoTime() - stepStarted) / 1e9;
    position = withCounters(pending.after());
    StepRecord record = new StepRecord(position.step(), stage.name(), position.stageStep(), stage.steps(), o.loss(), o.gradNorm(),
        stageOptimizer.learningRateAt(position.stageStep() - 1), stage.batchSize() * (long) stage.seqLen(), seconds, ring.size(), attempts,
        failures, membershipChanges, o.overlapRatios(), mfu(seconds));
    dir.appendMetrics(metricsLine(record));
    lastStep = record;
    if (failedAt >= 0) {
      metrics.recoveries.inc();
      metrics.recoveryDuration.observe((System.nanoTime() - failedAt) / 1e9);
      failedAt = -1;
    }
    metrics.step.set(record.step());
    metrics.loss.set(record.loss());
    metrics.learningRate.set(record.learningRate());
    metrics.gradNorm.set(record.gradNorm());
    metrics.tokensPerSecond.set(record.tokensPerSecond());
    metrics.stepDuration.observe(record.seconds());
    metrics.stepsCommitted.inc();
    metrics.ringDevices.set(record.devices());
    metrics.mfu.set(record.mfu());
    pending = null;
    listener.stepped(record);
    checkpointDue = position.stageFinal() || position.step() % plan.checkpointEvery() == 0 || position.step() == plan.stopAt();
  }

  private Behavior<Command> save() {
    phase = Phase.SAVING;
    saveStarted = System.nanoTime();
    driver.tell(new TrainingDriver.SaveCheckpoint(dir.checkpointDir(position.step()).toString(), position.step(),
        position.toJson().toString(), savedAdapter));
    return this;
  }

  private Behavior<Command> onSaved(Saved s) {
    if (phase != Phase.SAVING) {
      return this;
    }
    if (s.saved().error() != null) {
      return failed("checkpoint at step " + position.step() + " failed: " + s.saved().error());
    }
    if (!dir.owns(owner)) {
      return superseded("the checkpoint of step " + position.step());
    }
    checkpointDue = false;
    metrics.checkpointDuration.observe((System.nanoTime() - saveStarted) / 1e9);
    metrics.checkpointSize.set(RunDirectory.sizeOf(dir.checkpointDir(position.step())));
    resume = new RunDirectory.CheckpointRef(dir.checkpointDir(position.step()), position.step(), position.toJson());
    dir.prune(plan.keepCheckpoints());
    listener.checkpointed(position.step(), s.saved().directory());
    return next();
  }

  /**
   * Another supervisor owns the run now: this one was paused or cut off from the cluster long enough to be
   * replaced (its node is being downed). It logs nothing more and stops.
   */
  private Behavior<Command> superseded(String what) {
    getContext().getLog().error("another supervisor owns run {} now ({}): this one was replaced and stops without logging {}",
        plan.runDir(), dir.ownerDescription(), what);
    metrics.supervisorHere.set(0);
    return Behaviors.stopped();
  }

  private Behavior<Command> failed(String why) {
    if (failedAt < 0) {
      failedAt = System.nanoTime();
    }
    failures++;
    metrics.failures.inc();
    status(why);
    ring = null;
    phase = Phase.RETRYING;
    timers.startSingleTimer(Retry.INSTANCE, plan.retryDelay());
    return this;
  }

  private Behavior<Command> onRetry() {
    return phase == Phase.RETRYING || phase == Phase.WAITING ? next() : this;
  }

  private Behavior<Command> onDevicesListed(DevicesListed l) {
    Set<ActorRef<DeviceActor.Command>> now = new HashSet<>(l.listing().getServiceInstances(DeviceActor.SERVICE_KEY));
    boolean changed = !now.equals(available);
    Set<ActorRef<DeviceActor.Command>> arrived = new HashSet<>(now);
    arrived.removeAll(available);
    available = now;
    if (!changed) {
      return this;
    }
    if (phase == Phase.DONE) {
      // The run ended before these devices registered (or they joined afterwards): their nodes would
      // otherwise wait for a run that is over.
      if (shutdownWhenDone) {
        arrived.forEach(d -> d.tell(new DeviceActor.Shutdown(plan.runId())));
      }
      return this;
    }
    if (phase == Phase.WAITING) {
      return next();
    }
    return this; // the ring is compared with the usable devices before every step
  }

  /** The ring the usable devices would form now (empty if too few). */
  private List<ActorRef<DeviceActor.Command>> desiredRing() {
    if (stage == null) {
      return List.of();
    }
    List<ActorRef<DeviceActor.Command>> usable = usableDevices();
    int n = RingSelection.size(usable.size(), stage.seqLen(), plan.layout(), plan.minDevices(), plan.maxDevices());
    return n == 0 ? List.of() : RingSelection.pick(usable, n, this::orderKey);
  }

  private Behavior<Command> finish(String error) {
    if (error != null) {
      getContext().getLog().error("the run ends: {}", error);
    }
    phase = Phase.DONE;
    metrics.supervisorHere.set(0);
    status(error == null ? "the run is done" : "the run ended: " + error);
    listener.finished(position == null ? 0 : position.step(), error);
    if (shutdownWhenDone) {
      for (ActorRef<DeviceActor.Command> d : available) {
        d.tell(new DeviceActor.Shutdown(plan.runId()));
      }
    }
    return this; // answers status queries; nothing else moves it any more
  }

  private Behavior<Command> onGetStatus(GetStatus g) {
    String[] members = ring == null ? new String[0] : ring.stream().map(this::orderKey).toArray(String[]::new);
    boolean done = stage == null || phase == Phase.DONE;
    g.replyTo().tell(new RunStatus(plan.runId(), phase.name().toLowerCase(Locale.ROOT), stage == null ? "" : stage.name(),
        stageIndex + 1, plan.stages().size(), position == null ? 0 : position.stageStep(), stage == null ? 0 : stage.steps(),
        stage == null ? 0 : stage.seqLen(), position == null ? 0 : position.step(), lastStep == null ? Double.NaN : lastStep.loss(),
        lastStep == null ? Double.NaN : lastStep.tokensPerSecond(), done ? new String[0] : members,
        resume == null || resume.dir() == null ? "" : resume.dir().toString(), resume == null || resume.dir() == null ? -1 : resume.step(),
        failures, membershipChanges, Cluster.get(getContext().getSystem()).selfMember().address().toString(), lastStatus));
    return this;
  }

  /** The last step's model FLOPs over its wall time and the ring's configured peak. */
  private double mfu(double seconds) {
    long tokens = 0;
    long pairs = 0;
    for (TrainingSequence s : pending.batch()) {
      TokenBlock all = s.tokenBlock();
      tokens += s.length();
      pairs += TrainingFlops.attendedPairs(all, new TokenBlock[] {all});
    }
    return TrainingFlops.training(spec.model(), tokens, pairs) / seconds / (peakFlops * ring.size());
  }

  // ---- helpers

  private TrainingState withCounters(TrainingState s) {
    return new TrainingState(s.stage(), s.stageName(), s.stageStep(), s.stageFinal(), s.step(), s.seed(), s.data(), s.last(), failures,
        membershipChanges);
  }

  /** Counters continue from the state a predecessor committed (a moved supervisor, a resumed run). */
  private void keepCounters(TrainingState s) {
    failures = Math.max(failures, s.failures());
    membershipChanges = Math.max(membershipChanges, s.membershipChanges());
  }

  /** Devices on members that are up and reachable (the receptionist may still list a node being downed). */
  private List<ActorRef<DeviceActor.Command>> usableDevices() {
    Cluster cluster = Cluster.get(getContext().getSystem());
    Set<Address> up = new HashSet<>();
    for (Member m : cluster.state().getMembers()) {
      if (m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp()) {
        up.add(m.address());
      }
    }
    for (Member m : cluster.state().getUnreachable()) {
      up.remove(m.address());
    }
    Address self = cluster.selfMember().address();
    List<ActorRef<DeviceActor.Command>> out = new ArrayList<>();
    for (ActorRef<DeviceActor.Command> d : available) {
      Address a = d.path().address().hasLocalScope() ? self : d.path().address();
      if (up.contains(a)) {
        out.add(d);
      }
    }
    return out;
  }

  private String orderKey(ActorRef<DeviceActor.Command> d) {
    Address self = Cluster.get(getContext().getSystem()).selfMember().address();
    return d.path().toStringWithAddress(self);
  }

  private void status(String message) {
    lastStatus = message;
    getContext().getLog().info(message);
    listener.status(message);
  }

  private static JsonNode metricsLine(StepRecord r) {
    ObjectNode n = RunDirectory.object();
    n.put("step", r.step());
    n.put("stage", r.stage());
    n.put("stage_step", r.stageStep());
    n.put("loss", r.loss());
    n.put("grad_norm", r.gradNorm());
    n.put("learning_rate", r.learningRate());
    n.put("tokens", r.tokens());
    n.put("tokens_per_second", r.tokensPerSecond());
    n.put("step_seconds", r.seconds());
    n.put("devices", r.devices());
    n.put("attempts", r.attempts());
    n.put("failures_total", r.failures());
    n.put("membership_changes_total", r.membershipChanges());
    n.put("mfu_ratio", r.mfu());
    ArrayNode overlap = n.putArray("overlap_ratio");
    for (double x : r.overlapRatios()) {
      overlap.add(x);
    }
    n.put("time", Instant.now().toString());
    return n;
  }
}

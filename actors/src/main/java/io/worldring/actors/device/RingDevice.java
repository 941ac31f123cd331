package io.worldring.actors.device;

import io.worldring.model.LlamaModel;
import io.worldring.model.NativeMemory;
import io.worldring.model.Parameters;
import io.worldring.model.ShardComputation;
import io.worldring.model.TrainingFlops;
import io.worldring.model.attention.TokenBlock;
import io.worldring.model.train.AdamW;
import io.worldring.model.train.GradientClipping;
import io.worldring.model.train.TrainingSequence;
import io.worldring.ring.GradChunk;
import io.worldring.ring.GradientRing;
import io.worldring.ring.KvBlock;
import io.worldring.ring.KvGradBlock;
import io.worldring.ring.RingMessage;
import io.worldring.ring.RingSchedule;
import io.worldring.ring.TensorPayload;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One device's part of ring training, without any actor code: it is told each message whose turn it is
 * (in {@link io.worldring.ring.RingCursor} order) and says what to send to the next device. Per
 * sequence of a step: forward, layer by layer, sending each key/value block on before computing with
 * it; backward, with K, V and the dK/dV accumulators travelling; then the ring all-reduce of the
 * parameter gradient, after which every device holds the same gradient.
 */
public final class RingDevice {
  /** Where messages for the next device go. The outbox owns the payload arrays it is given. */
  public interface Outbox {
    void sendNext(RingMessage message);
  }

  private final String runId;
  private final int index;
  private final RingSchedule ring;
  private final LlamaModel model;
  private final AdamW optimizer;
  private final Parameters grads;
  private final GradientRing gradientRing;
  private final int n;

  private long round = -1;
  private int[] logitRows; // inference rounds: the row of each sequence whose logits this device returns, or -1
  private float[][] logits; // [sequences][vocab], null where not held
  private TrainingSequence[] shards;
  private TokenBlock[][] blocks; // [sequence][device]
  private int sequence;
  private ShardComputation shard;
  private INDArray flat; // flattened gradient during the all-reduce, [parameters]
  private boolean reduced;
  private double lossSum;
  private long kvBytesSent;
  private long gradientBytesSent;
  private long peakActivationBytes;
  private long kvBytesReceived;
  private double roundFlops;
  private final RoundClock clock = new RoundClock();

  public RingDevice(String runId, int index, RingSchedule ring, LlamaModel model, AdamW optimizer) {
    this.runId = runId;
    this.index = index;
    this.ring = ring;
    this.n = ring.devices();
    this.model = model;
    this.optimizer = optimizer;
    this.grads = model.parameters().zerosLike();
    this.gradientRing = new GradientRing(n, model.parameters().elementCount());
  }

  public int index() {
    return index;
  }

  public LlamaModel model() {
    return model;
  }

  public AdamW optimizer() {
    return optimizer;
  }

  public long round() {
    return round;
  }

  /** Whether this step's gradient is fully reduced (then {@link #apply} may run). */
  public boolean reduced() {
    return reduced;
  }

  /** This device's share of the step's weighted loss. */
  public double lossSum() {
    return lossSum;
  }

  /** Key/value (and dK/dV) bytes this device sent in the current round. */
  public long kvBytesSent() {
    return kvBytesSent;
  }

  /** Gradient all-reduce bytes this device sent in the current round. */
  public long gradientBytesSent() {
    return gradientBytesSent;
  }

  public long peakActivationBytes() {
    return peakActivationBytes;
  }

  /** Key/value (and dK/dV) bytes this device received in the current round. */
  public long kvBytesReceived() {
    return kvBytesReceived;
  }

  /** Model FLOPs of this device's part of the round ({@link TrainingFlops}; a third for forward only). */
  public double roundFlops() {
    return roundFlops;
  }

  /** Where the current round's time went (complete once {@link #reduced()}). */
  RoundClock clock() {
    return clock;
  }

  /** Inference: per sequence the logits asked of this device, or null (valid once {@link #reduced()}). */
  public float[][] logits() {
    return logits;
  }

  /** The reduced gradient (valid once {@link #reduced()}). */
  public Parameters gradients() {
    return grads;
  }

  /**
   * Begins a round: one attempt at a training step.
   *
   * @param stepShards this device's part of each sequence of the batch (weights normalised over the batch)
   * @param stepBlocks positions and segments of every device's block, per sequence
   */
  public void startRound(long newRound, TrainingSequence[] stepShards, TokenBlock[][] stepBlocks, Outbox out) {
    startRound(newRound, stepShards, stepBlocks, null, out);
  }

  /**
   * Begins a round; with {@code logitRows} an inference round: forward only, and for each sequence the
   * logits of this shard's row {@code logitRows[s]} (-1: none here); no gradients, nothing to apply.
   */
  public void startRound(long newRound, TrainingSequence[] stepShards, TokenBlock[][] stepBlocks, int[] logitRows, Outbox out) {
    this.logitRows = logitRows;
    this.logits = logitRows == null ? null : new float[stepShards.length][];
    this.round = newRound;
    this.shards = stepShards;
    this.blocks = stepBlocks;
    this.reduced = false;
    this.lossSum = 0;
    this.kvBytesSent = 0;
    this.gradientBytesSent = 0;
    this.peakActivationBytes = 0;
    this.kvBytesReceived = 0;
    this.roundFlops = flops(stepShards, stepBlocks, logitRows != null);
    long begin = System.nanoTime();
    clock.start(begin);
    grads.zero();
    this.sequence = 0;
    beginSequence(out);
    endWork(null, 0, begin);
  }

  /** Processes the message whose turn it is. */
  public void receive(RingMessage m, Outbox out) {
    long begin = System.nanoTime();
    double waited = clock.beginWork(begin);
    if (!(m instanceof GradChunk)) {
      kvBytesReceived += payloadBytes(m);
    }
    if (m instanceof KvBlock b) {
      onKvBlock(b, out);
    } else if (m instanceof KvGradBlock b) {
      onKvGradBlock(b, out);
    } else {
      onGradChunk((GradChunk) m, out);
    }
    endWork(m, waited, begin);
  }

  private void endWork(RingMessage m, double waited, long begin) {
    long end = System.nanoTime();
    if (m instanceof GradChunk) {
      clock.reductionWork(end);
    } else {
      clock.hop(waited, begin, end);
    }
    if (reduced) {
      clock.finished(end);
    }
  }

  private double flops(TrainingSequence[] stepShards, TokenBlock[][] stepBlocks, boolean forwardOnly) {
    long tokens = 0;
    long pairs = 0;
    for (int s = 0; s < stepShards.length; s++) {
      tokens += stepShards[s].length();
      pairs += TrainingFlops.attendedPairs(stepBlocks[s][index], stepBlocks[s]);
    }
    double f = TrainingFlops.training(model.config(), tokens, pairs);
    return forwardOnly ? f / 3 : f;
  }

  /** Clips the reduced gradient and applies AdamW; returns the gradient norm before clipping. */
  public double apply(double learningRate) {
    if (!reduced) {
      throw new IllegalStateException("round " + round + " is not reduced yet");
    }
    double norm = GradientClipping.clip(grads, optimizer.config().gradClip());
    optimizer.update(model.parameters(), grads, learningRate);
    reduced = false;
    return norm;
  }

  /** SHA-256 of every parameter's bits: equal on every replica after every step. */
  public String parameterDigest() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, INDArray> e : model.parameters().asMap().entrySet()) {
        md.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        float[] v = e.getValue().dup('c').data().asFloat();
        ByteBuffer b = ByteBuffer.allocate(v.length * 4);
        b.asFloatBuffer().put(v);
        md.update(b);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void beginSequence(Outbox out) {
    shard = new ShardComputation(model, shards[sequence], grads, logitRows != null);
    forwardLayer(out);
  }

  private void forwardLayer(Outbox out) {
    ShardComputation.KeyValue own = shard.beginLayer();
    if (n > 1) { // send first, so the transfer overlaps this compute
      send(out, new KvBlock(runId, round, sequence, shard.layer(), 1, index, copy(own.k()), copy(own.v())));
    }
    shard.attend(index, own.tokens(), own.k(), own.v());
    if (n == 1) {
      endForwardLayer(out);
    }
  }

  private void onKvBlock(KvBlock b, Outbox out) {
    INDArray k = b.k().array();
    INDArray v = b.v().array();
    if (b.hop() < n - 1) {
      send(out, new KvBlock(runId, round, sequence, b.layer(), b.hop() + 1, b.source(), copy(k), copy(v)));
    }
    shard.attend(b.source(), blocks[sequence][b.source()], k, v);
    NativeMemory.release(k, v);
    if (b.hop() == n - 1) {
      endForwardLayer(out);
    }
  }

  private void endForwardLayer(Outbox out) {
    shard.endLayer();
    if (shard.layer() < shard.layers()) {
      forwardLayer(out);
    } else if (logitRows != null) {
      if (logitRows[sequence] >= 0) {
        logits[sequence] = shard.logits(logitRows[sequence]);
      } else {
        shard.releaseForward();
      }
      shard = null;
      sequence++;
      if (sequence < shards.length) {
        beginSequence(out);
      } else {
        reduced = true; // nothing to reduce: the round is done
      }
    } else {
      lossSum += shard.loss();
      backwardLayer(out);
    }
  }

  private void backwardLayer(Outbox out) {
    ShardComputation.KeyValue own = shard.beginBackwardLayer();
    INDArray dk = Nd4j.zeros(own.k().dataType(), own.k().shape()); // [kvHeads, tokens, headDim]
    INDArray dv = Nd4j.zeros(own.v().dataType(), own.v().shape()); // [kvHeads, tokens, headDim]
    shard.attendBackward(index, own.tokens(), own.k(), own.v(), dk, dv);
    if (n == 1) {
      endBackwardLayer(dk, dv, out);
    } else {
      send(out, new KvGradBlock(runId, round, sequence, shard.layer(), 1, index, copy(own.k()), copy(own.v()),
          TensorPayload.of(dk), TensorPayload.of(dv)));
    }
  }

  private void onKvGradBlock(KvGradBlock b, Outbox out) {
    INDArray dk = b.dk().array();
    INDArray dv = b.dv().array();
    if (b.hop() == n) { // this device's own block, back with every device's contribution
      endBackwardLayer(dk, dv, out);
      return;
    }
    INDArray k = b.k().array();
    INDArray v = b.v().array();
    shard.attendBackward(b.source(), blocks[sequence][b.source()], k, v, dk, dv);
    if (b.hop() < n - 1) {
      send(out, new KvGradBlock(runId, round, sequence, b.layer(), b.hop() + 1, b.source(), TensorPayload.of(k), TensorPayload.of(v),
          TensorPayload.of(dk), TensorPayload.of(dv)));
    } else { // the last device to add: return the accumulators to their owner
      NativeMemory.release(k, v);
      send(out, new KvGradBlock(runId, round, sequence, b.layer(), n, b.source(), null, null, TensorPayload.of(dk), TensorPayload.of(dv)));
    }
  }

  private void endBackwardLayer(INDArray dk, INDArray dv, Outbox out) {
    shard.endBackwardLayer(dk, dv);
    if (shard.layer() >= 0) {
      backwardLayer(out);
      return;
    }
    shard.finish();
    peakActivationBytes = Math.max(peakActivationBytes, shard.peakActivationBytes());
    shard = null;
    sequence++;
    if (sequence < shards.length) {
      beginSequence(out);
    } else {
      startReduction(out);
    }
  }

  private void startReduction(Outbox out) {
    if (n == 1) {
      reduced = true;
      return;
    }
    clock.reductionStarted(System.nanoTime());
    flat = flatten(grads);
    sendChunk(out, GradChunk.REDUCE_SCATTER, 0, gradientRing.scatterSend(index, 0));
  }

  private void onGradChunk(GradChunk c, Outbox out) {
    INDArray values = c.values().array();
    INDArray target = chunk(c.chunk());
    if (c.phase() == GradChunk.REDUCE_SCATTER) {
      target.addi(values);
    } else {
      target.assign(values);
    }
    NativeMemory.release(values);
    if (c.hop() < n - 2) {
      int next = c.phase() == GradChunk.REDUCE_SCATTER ? gradientRing.scatterSend(index, c.hop() + 1) : gradientRing.gatherSend(index, c.hop() + 1);
      sendChunk(out, c.phase(), c.hop() + 1, next);
    } else if (c.phase() == GradChunk.REDUCE_SCATTER) {
      sendChunk(out, GradChunk.ALL_GATHER, 0, gradientRing.gatherSend(index, 0));
    } else {
      unflatten(flat, grads);
      NativeMemory.release(flat);
      flat = null;
      reduced = true;
    }
  }

  private void sendChunk(Outbox out, int phase, int hop, int chunk) {
    send(out, new GradChunk(runId, round, phase, hop, chunk, TensorPayload.of(chunk(chunk).dup())));
  }

  private INDArray chunk(int c) {
    long[] r = gradientRing.chunkRange(c);
    return flat.get(NDArrayIndex.interval(r[0], r[1]));
  }

  private void send(Outbox out, RingMessage m) {
    if (m instanceof GradChunk) {
      gradientBytesSent += payloadBytes(m);
    } else {
      kvBytesSent += payloadBytes(m);
    }
    out.sendNext(m);
  }

  private static long payloadBytes(RingMessage m) {
    if (m instanceof KvBlock b) {
      return bytes(b.k()) + bytes(b.v());
    }
    if (m instanceof KvGradBlock b) {
      return bytes(b.k()) + bytes(b.v()) + bytes(b.dk()) + bytes(b.dv());
    }
    return bytes(((GradChunk) m).values());
  }

  private static long bytes(TensorPayload p) {
    return p == null ? 0 : p.wireBytes(TensorPayload.WireType.FP32);
  }

  private static TensorPayload copy(INDArray a) {
    return TensorPayload.of(a.dup('c'));
  }

  static INDArray flatten(Parameters p) {
    INDArray flat = Nd4j.createUninitialized(p.dataType(), p.elementCount()); // [parameters]
    long offset = 0;
    for (INDArray t : p.asMap().values()) {
      flat.get(NDArrayIndex.interval(offset, offset + t.length())).assign(t.reshape(t.length()));
      offset += t.length();
    }
    return flat;
  }

  static void unflatten(INDArray flat, Parameters p) {
    long offset = 0;
    for (INDArray t : p.asMap().values()) {
      t.reshape(t.length()).assign(flat.get(NDArrayIndex.interval(offset, offset + t.length())));
      offset += t.length();
    }
  }
}

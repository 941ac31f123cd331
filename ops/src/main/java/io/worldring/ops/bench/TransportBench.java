package io.worldring.ops.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.worldring.actors.device.DeviceActor;
import io.worldring.actors.device.RingLink;
import io.worldring.actors.wire.WireSettings;
import io.worldring.actors.wire.WorldringWire;
import io.worldring.model.BadInputException;
import io.worldring.model.NativeMemory;
import io.worldring.ring.KvBlock;
import io.worldring.ring.TensorPayload;
import io.worldring.ring.wire.Fragments;
import io.worldring.ring.wire.WireFormat;
import io.worldring.ring.wire.WireFragment;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Key/value blocks between two JVMs over the ring protocol, against a raw loopback socket between the
 * same two JVMs carrying the same bytes. The ring path is the devices' own: {@link RingLink} serializes a
 * {@link KvBlock} with the Kryo wire format and sends it whole or, above {@code worldring.ring.fragment-bytes},
 * as fragments on Artery's large-message lane; the receiver reassembles, deserializes and decodes it to
 * arrays, as a device does. The socket carries the serialized message as {@code [length][bytes]} into a
 * reused buffer: what the wire could do with no protocol around it. Between the two, Artery alone: the same
 * serialized bytes as the same messages and fragments, which the receiver answers without decoding, so
 * ring vs Artery is the codec's share of the gap and Artery vs socket the transport's.
 *
 * <p>Both keep at most {@code window} blocks unanswered (a ring of two devices has at most two blocks on a
 * link, see {@link DeviceActor}); a timed run sends enough blocks to move {@code mibPerRun} MiB.
 */
public final class TransportBench {
  /** Key/value heads and head size of the blocks: one token of k and v is 2 KiB of fp32. */
  static final int KV_HEADS = 4;
  static final int HEAD_DIM = 64;
  public static final int TOKEN_KIB = 2;
  private static final long ACK_TIMEOUT_SECONDS = 120;
  /** Room in a large frame for the fragment's envelope (sender, transfer id, Kryo and Artery headers). */
  private static final long FRAME_OVERHEAD = 64 * 1024;

  /**
   * @param sizesKib block sizes (k and v together), KiB, multiples of {@link #TOKEN_KIB}
   * @param repeats timed runs per size and transport
   * @param window unanswered blocks at most
   * @param mibPerRun MiB a timed run moves (at least 4 blocks)
   * @param fragmentBytes messages above this travel as fragments; 0: {@code worldring.ring.fragment-bytes}
   */
  public record Settings(int[] sizesKib, int repeats, int window, int mibPerRun, int fragmentBytes) {}

  private TransportBench() {}

  public static ObjectNode measure(ObjectNode out, Settings s) throws Exception {
    out.put("kv_heads", KV_HEADS).put("head_dim", HEAD_DIM).put("window", s.window()).put("repeats", s.repeats());
    Config config = TransportPeer.remoteConfig();
    int fragmentBytes = s.fragmentBytes() > 0 ? s.fragmentBytes() : WireSettings.from(config).fragmentBytes();
    long largeFrame = config.getBytes("pekko.remote.artery.advanced.maximum-large-frame-size");
    if (fragmentBytes > largeFrame - FRAME_OVERHEAD) {
      throw new BadInputException("fragments of " + fragmentBytes + " bytes do not fit Artery's large frames of " + largeFrame + " bytes");
    }
    out.put("fragment_bytes", fragmentBytes);
    Path work = Files.createTempDirectory("worldring-transport");
    Path ready = work.resolve("ready");
    Path log = work.resolve("peer.log");
    // The peer first: its JVM starts while this one starts its ActorSystem.
    Process peer = new ProcessBuilder(ChildJvm.command(List.of("bench", "transport-peer", "--ready-file", ready.toString())))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    BlockingQueue<Long> answers = new LinkedBlockingQueue<>();
    CompletableFuture<Void> started = new CompletableFuture<>();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
      ctx.spawn(answerSink(answers), "device-acks"); // a device's path: answers take the same lane as blocks
      started.complete(null);
      return Behaviors.empty();
    }), TransportPeer.SYSTEM, config);
    boolean connected = false;
    try {
      started.get(60, TimeUnit.SECONDS);
      WireFormat format = WorldringWire.get(system).format();
      int[] ports = awaitReady(peer, ready, log);
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), ports[1])) {
        connected = true;
        socket.setTcpNoDelay(true);
        DataInputStream socketIn = new DataInputStream(socket.getInputStream());
        String replyTo = "pekko://" + TransportPeer.SYSTEM + "@127.0.0.1:" + TransportPeer.arteryPort(system) + "/user/device-acks";
        TransportPeer.writeMessage(socket.getOutputStream(), replyTo.getBytes(StandardCharsets.UTF_8));
        socketIn.readLong(); // the peer's receiver is there
        ActorRef<DeviceActor.Command> receiver = ActorRefResolver.get(system)
            .resolveActorRef("pekko://" + TransportPeer.SYSTEM + "@127.0.0.1:" + ports[0] + "/user/" + TransportPeer.RECEIVER);
        RingLink link = new RingLink(receiver, 0, format, fragmentBytes);
        ArrayNode results = out.putArray("results");
        for (int i = 0; i < s.sizesKib().length; i++) {
          // More warm-up before the first size: both JVMs still compile the whole path, and the peer loads ND4J.
          int warmup = i == 0 ? 3 : 1;
          size(results.addObject(), s.sizesKib()[i], warmup, s, format, fragmentBytes, link, answers, socket.getOutputStream(), socketIn);
        }
      } // closing the socket ends the peer
    } finally {
      if (!peer.waitFor(connected ? 30 : 0, TimeUnit.SECONDS)) {
        peer.destroyForcibly();
      }
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      deleteQuietly(work);
    }
    return out;
  }

  private static void size(ObjectNode out, int kib, int warmup, Settings s, WireFormat format, int fragmentBytes, RingLink link,
      BlockingQueue<Long> answers, OutputStream socketOut, DataInputStream socketIn) {
    int tokens = kib / TOKEN_KIB;
    INDArray k = Nd4j.rand(DataType.FLOAT, KV_HEADS, tokens, HEAD_DIM); // [kvHeads, tokens, headDim]
    INDArray v = Nd4j.rand(DataType.FLOAT, KV_HEADS, tokens, HEAD_DIM); // [kvHeads, tokens, headDim]
    long payload = NativeMemory.bytes(k, v);
    KvBlock sample = block(k, v);
    byte[] message = format.toBytes(sample);
    NativeMemory.release(sample.k().array(), sample.v().array());
    long mib = 1L << 20;
    int count = (int) Math.max(4, (s.mibPerRun() * mib + message.length - 1) / message.length);
    out.put("size_kib", kib).put("payload_bytes", payload).put("message_bytes", message.length)
        .put("fragments", message.length <= fragmentBytes ? 1 : (message.length + fragmentBytes - 1) / fragmentBytes)
        .put("blocks_per_run", count).put("warmup_runs", warmup);

    double ringSeconds = Timing.medianSeconds(() -> windowed(count, s.window(), () -> link.sendNext(block(k, v)), () -> {
      long got = poll(answers);
      if (got != payload) {
        throw new IllegalStateException("the peer decoded " + got + " bytes of a " + payload + "-byte block");
      }
    }), warmup, s.repeats());
    // Artery alone: the serialized message's bytes, fragmented as the ring fragments them, answered unread.
    long[] transfer = {1L << 40};
    double arterySeconds = Timing.medianSeconds(() -> windowed(count, s.window(), () -> {
      if (message.length <= fragmentBytes) {
        link.nextRef().tell(new DeviceActor.DeliverBytes(TransportReceiver.RAW, message));
      } else {
        for (WireFragment f : Fragments.split(message, fragmentBytes, transfer[0]++)) {
          link.nextRef().tell(new DeviceActor.DeliverFragment(TransportReceiver.RAW, f));
        }
      }
    }, () -> {
      long got = poll(answers);
      if (got != message.length) {
        throw new IllegalStateException("the peer received " + got + " bytes of a " + message.length + "-byte message");
      }
    }), warmup, s.repeats());
    Step write = () -> TransportPeer.writeMessage(socketOut, message);
    double socketSeconds = Timing.medianSeconds(() -> windowed(count, s.window(), write, () -> {
      long got = socketIn.readLong();
      if (got != message.length) {
        throw new IllegalStateException("the peer read " + got + " bytes of a " + message.length + "-byte message");
      }
    }), warmup, s.repeats());
    // Serialization and decoding alone, in this JVM: the protocol's share of the gap to the socket.
    double codecSeconds = Timing.medianSeconds(() -> {
      KvBlock sent = block(k, v);
      byte[] bytes = format.toBytes(sent);
      NativeMemory.release(sent.k().array(), sent.v().array());
      KvBlock back = (KvBlock) format.fromBytes(bytes);
      NativeMemory.release(back.k().array(), back.v().array());
    }, warmup, s.repeats());
    NativeMemory.release(k, v);

    double moved = (double) count * message.length / mib;
    double ring = moved / ringSeconds;
    double socket = moved / socketSeconds;
    out.put("ring_median_seconds", ringSeconds).put("ring_mib_per_second", ring);
    out.put("socket_median_seconds", socketSeconds).put("socket_mib_per_second", socket);
    out.put("artery_median_seconds", arterySeconds).put("artery_mib_per_second", moved / arterySeconds);
    out.put("ratio", ring / socket);
    out.put("artery_ratio", moved / arterySeconds / socket);
    out.put("codec_mib_per_second", message.length / (double) mib / codecSeconds);
  }

  /** A forward block as a device sends it: copies of its k and v, handed over to the link. */
  private static KvBlock block(INDArray k, INDArray v) {
    return new KvBlock("bench", 0, 0, 0, 1, 0, TensorPayload.of(k.dup()), TensorPayload.of(v.dup()));
  }

  private interface Step {
    void run() throws Exception;
  }

  /** Sends {@code count} blocks, waiting for an answer whenever {@code window} are unanswered, then for the rest. */
  private static void windowed(int count, int window, Step send, Step awaitAnswer) {
    try {
      int open = 0;
      for (int i = 0; i < count; i++) {
        if (open == window) {
          awaitAnswer.run();
          open--;
        }
        send.run();
        open++;
      }
      for (; open > 0; open--) {
        awaitAnswer.run();
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("transport benchmark: " + e.getMessage(), e);
    }
  }

  private static long poll(BlockingQueue<Long> answers) throws InterruptedException {
    Long got = answers.poll(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (got == null) {
      throw new IllegalStateException("the peer JVM answered no block for " + ACK_TIMEOUT_SECONDS + " s");
    }
    return got;
  }

  /** Puts each answer's decoded byte count on {@code answers} for the sending thread. */
  private static Behavior<DeviceActor.Command> answerSink(BlockingQueue<Long> answers) {
    return Behaviors.receive(DeviceActor.Command.class)
        .onMessage(DeviceActor.DeliverBytes.class, d -> {
          answers.add(ByteBuffer.wrap(d.message()).getLong());
          return Behaviors.same();
        })
        .build();
  }

  /** The peer's Artery and socket ports, once it has written them. */
  private static int[] awaitReady(Process peer, Path ready, Path log) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!Files.exists(ready)) {
      if (!peer.isAlive() || System.nanoTime() > deadline) {
        String why = peer.isAlive() ? "timed out" : "exit " + peer.exitValue();
        peer.destroyForcibly();
        String tail = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        tail = tail.substring(Math.max(0, tail.length() - 4000));
        throw new IllegalStateException("the peer JVM did not start (" + why + "); its output:\n" + tail);
      }
      Thread.sleep(50);
    }
    String[] parts = Files.readString(ready, StandardCharsets.UTF_8).strip().split(" ");
    return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.deleteIfExists(p);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a temporary directory; nothing depends on it
    }
  }
}

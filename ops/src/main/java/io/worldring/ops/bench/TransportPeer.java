package io.worldring.ops.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The second JVM of `bench transport`: an ActorSystem on 127.0.0.1 with a {@link TransportReceiver} at
 * {@code /user/device-0} (the path of a device, so blocks take Artery's large-message lane as they do in a
 * ring), and a plain socket on 127.0.0.1 for the baseline, which reads each length-prefixed message whole
 * and answers with its length. It announces both ports in {@code readyFile} and runs until the benchmark
 * closes the socket (or dies, which closes it too).
 */
public final class TransportPeer {
  static final String SYSTEM = "worldring-transport";
  static final String RECEIVER = "device-0";

  private TransportPeer() {}

  /**
   * Artery TCP on 127.0.0.1, any free port, over the worldring settings (serializers, frame sizes, the
   * large-message lane), with the cluster provider as a worldring node has it; the two systems never join
   * a cluster, since membership plays no part in moving blocks.
   */
  static Config remoteConfig() {
    return ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.transport = tcp
        pekko.remote.artery.canonical.hostname = "127.0.0.1"
        pekko.remote.artery.canonical.port = 0
        """).withFallback(ConfigFactory.load());
  }

  static int arteryPort(ActorSystem<?> system) {
    return system.address().getPort().orElseThrow(() -> new IllegalStateException("Artery has no port"));
  }

  /**
   * Serves until the benchmark is done. Over the socket the benchmark first names its answering actor; the
   * receiver is spawned for it and the benchmark told so (an 8-byte 0); then every message is echoed.
   */
  public static void run(Path readyFile) throws IOException, InterruptedException, ExecutionException, TimeoutException {
    CompletableFuture<Void> spawned = new CompletableFuture<>();
    ActorSystem<String> system = ActorSystem.create(Behaviors.setup(ctx -> Behaviors.receiveMessage(replyTo -> {
      ctx.spawn(TransportReceiver.create(ActorRefResolver.get(ctx.getSystem()).resolveActorRef(replyTo)), RECEIVER);
      spawned.complete(null);
      return Behaviors.same();
    })), SYSTEM, remoteConfig());
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path partial = readyFile.resolveSibling(readyFile.getFileName() + ".partial");
      Files.writeString(partial, arteryPort(system) + " " + server.getLocalPort() + "\n", StandardCharsets.UTF_8);
      Files.move(partial, readyFile, StandardCopyOption.ATOMIC_MOVE);
      server.setSoTimeout(120_000); // the benchmark connects as soon as it reads the ready file
      try (Socket socket = server.accept()) {
        socket.setTcpNoDelay(true);
        DataInputStream in = new DataInputStream(socket.getInputStream());
        OutputStream out = socket.getOutputStream();
        int length = in.readInt();
        if (length < 1 || length > 4096) {
          throw new IOException("the benchmark's first message is " + length + " bytes, not an actor path");
        }
        byte[] replyTo = new byte[length];
        in.readFully(replyTo);
        system.tell(new String(replyTo, StandardCharsets.UTF_8));
        spawned.get(60, TimeUnit.SECONDS);
        out.write(new byte[Long.BYTES]);
        out.flush();
        echoLengths(in, out);
      }
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** Writes {@code [int length][bytes]} in two writes (a header of single bytes would go as four packets). */
  static void writeMessage(OutputStream out, byte[] message) throws IOException {
    out.write(ByteBuffer.allocate(Integer.BYTES).putInt(message.length).array());
    out.write(message);
    out.flush();
  }

  /** Reads {@code [int length][bytes]} messages into one reused buffer and answers each with its length. */
  private static void echoLengths(DataInputStream in, OutputStream out) throws IOException {
    byte[] buffer = new byte[0];
    ByteBuffer ack = ByteBuffer.allocate(Long.BYTES);
    while (true) {
      int length;
      try {
        length = in.readInt();
      } catch (EOFException e) {
        return; // the benchmark is done
      }
      if (length > buffer.length) {
        buffer = new byte[length];
      }
      in.readFully(buffer, 0, length);
      out.write(ack.clear().putLong(length).array());
      out.flush();
    }
  }
}

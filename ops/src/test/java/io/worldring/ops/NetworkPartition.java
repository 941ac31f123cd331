package io.worldring.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A network between node processes on 127.0.0.1 that a test can partition (Linux). Each node advertises
 * its Artery canonical port at a forwarder here, which passes bytes to the node's bind port. Every
 * connection is attributed to the process that opened it (its socket's inode in /proc/net/tcp and that
 * process's /proc/PID/fd), so {@link #isolate} cuts both directions between the isolated processes and the
 * rest: it closes their connections and refuses new ones, as a partition (not a crash) would.
 */
final class NetworkPartition implements AutoCloseable {
  private final ExecutorService pumps = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "partition-pump");
    t.setDaemon(true);
    return t;
  });
  private final List<Forwarder> forwarders = new ArrayList<>();
  private final Set<Long> isolated = ConcurrentHashMap.newKeySet();

  /** Forwards {@code 127.0.0.1:listenPort} to {@code 127.0.0.1:targetPort}, the bind port of the process {@code owner} will start. */
  void forward(int listenPort, int targetPort, java.util.function.LongSupplier owner) throws IOException {
    Forwarder f = new Forwarder(new ServerSocket(listenPort, 50, InetAddress.getLoopbackAddress()), targetPort, owner);
    forwarders.add(f);
    pumps.execute(f::accept);
  }

  /** Cuts every connection between {@code pid} and the other processes, now and until the end. */
  void isolate(long pid) {
    isolated.add(pid);
    forwarders.forEach(Forwarder::enforce);
  }

  @Override
  public void close() {
    forwarders.forEach(Forwarder::close);
    pumps.shutdownNow();
  }

  private boolean allowed(long from, long to) {
    return isolated.contains(from) == isolated.contains(to);
  }

  private final class Forwarder {
    private final ServerSocket server;
    private final int targetPort;
    private final java.util.function.LongSupplier owner;
    private final Map<Socket, Long> clients = new ConcurrentHashMap<>(); // accepted socket -> the process that connected

    Forwarder(ServerSocket server, int targetPort, java.util.function.LongSupplier owner) {
      this.server = server;
      this.targetPort = targetPort;
      this.owner = owner;
    }

    void accept() {
      while (!server.isClosed()) {
        try {
          Socket in = server.accept();
          long from = connectingProcess(in.getPort(), server.getLocalPort());
          if (!allowed(from, owner.getAsLong())) {
            in.close();
            continue;
          }
          Socket out = new Socket(InetAddress.getLoopbackAddress(), targetPort);
          clients.put(in, from);
          pumps.execute(() -> pump(in, out));
          pumps.execute(() -> pump(out, in));
        } catch (IOException e) {
          // closed, or the node is not listening yet: the node retries
        }
      }
    }

    void enforce() {
      clients.forEach((socket, from) -> {
        if (!allowed(from, owner.getAsLong())) {
          quietly(socket);
        }
      });
    }

    void close() {
      quietly(server);
      clients.keySet().forEach(NetworkPartition::quietly);
    }

    private void pump(Socket from, Socket to) {
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
        }
      } catch (IOException e) {
        // cut or closed
      } finally {
        quietly(from);
        quietly(to);
        clients.remove(from);
        clients.remove(to);
      }
    }
  }

  /** The process whose socket 127.0.0.1:clientPort is connected to serverPort; -1 if none is found. */
  static long connectingProcess(int clientPort, int serverPort) throws IOException {
    String inode = null;
    for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
      for (String line : Files.readAllLines(Path.of(table))) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 9 && f[1].endsWith(String.format(":%04X", clientPort)) && f[2].endsWith(String.format(":%04X", serverPort))) {
          inode = f[9];
        }
      }
    }
    if (inode == null) {
      return -1;
    }
    String socket = "socket:[" + inode + "]";
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path process : processes) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
          for (Path fd : fds) {
            if (socket.equals(readLink(fd))) {
              return Long.parseLong(process.getFileName().toString());
            }
          }
        } catch (IOException | UncheckedIOException e) {
          // another user's process, or one that ended
        }
      }
    }
    return -1;
  }

  private static String readLink(Path fd) {
    try {
      return Files.readSymbolicLink(fd).toString();
    } catch (IOException e) {
      return "";
    }
  }

  private static void quietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // already closed
    }
  }
}

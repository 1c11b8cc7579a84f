package io.chainwatch.probe;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on a unix socket, standing in for cilium-health: it answers every request with the configured
 * status and body, optionally chunked, optionally late, or with raw bytes.
 */
final class UnixHttpServer implements AutoCloseable {
  private final Path socket;
  private final ServerSocketChannel server;
  private final Thread thread;
  private final AtomicInteger requests = new AtomicInteger();
  /** Open until {@link #close}: a late answer waits on it, so closing the server ends the wait at once. */
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile int status = 200;
  private volatile String body = "{}";
  private volatile boolean chunked;
  private volatile Duration delay = Duration.ZERO;
  private volatile String raw;
  private volatile String endlessPrefix;
  private volatile String endlessRepeat;

  UnixHttpServer(Path socket) throws IOException {
    this.socket = socket;
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    thread = new Thread(this::serve, "unix-http");
    thread.setDaemon(true);
    thread.start();
  }

  UnixHttpServer answer(int status, String body) {
    this.status = status;
    this.body = body;
    this.raw = null;
    return this;
  }

  UnixHttpServer chunked(boolean chunked) {
    this.chunked = chunked;
    return this;
  }

  UnixHttpServer delay(Duration delay) {
    this.delay = delay;
    return this;
  }

  UnixHttpServer raw(String bytes) {
    this.raw = bytes;
    return this;
  }

  /** Answers with {@code prefix} and then {@code repeat} over and over until the client hangs up. */
  UnixHttpServer endless(String prefix, String repeat) {
    this.endlessPrefix = prefix;
    this.endlessRepeat = repeat;
    return this;
  }

  int requests() {
    return requests.get();
  }

  private void serve() {
    while (server.isOpen()) {
      try (SocketChannel client = server.accept()) {
        ByteBuffer request = ByteBuffer.allocate(4096);
        while (!new String(request.array(), 0, request.position(), StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
          if (client.read(request) < 0) {
            break;
          }
        }
        requests.incrementAndGet();
        if (!delay.isZero() && closed.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
          continue; // closed while the answer was held back: nothing more to say
        }
        if (endlessPrefix != null) {
          client.write(ByteBuffer.wrap(endlessPrefix.getBytes(StandardCharsets.UTF_8)));
          byte[] repeat = endlessRepeat.getBytes(StandardCharsets.UTF_8);
          while (server.isOpen()) {
            client.write(ByteBuffer.wrap(repeat));
          }
          continue;
        }
        ByteBuffer answer = ByteBuffer.wrap(response().getBytes(StandardCharsets.UTF_8));
        while (answer.hasRemaining()) {
          client.write(answer);
        }
      } catch (IOException | InterruptedException | RuntimeException e) {
        // the test closed the server, or the client gave up
      }
    }
  }

  private String response() {
    if (raw != null) {
      return raw;
    }
    String head = "HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\n";
    if (!chunked) {
      return head + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }
    StringBuilder out = new StringBuilder(head + "Transfer-Encoding: chunked\r\n\r\n");
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    for (int at = 0; at < bytes.length; at += 100) {
      int size = Math.min(100, bytes.length - at);
      out.append(Integer.toHexString(size)).append("\r\n")
          .append(new String(bytes, at, size, StandardCharsets.UTF_8)).append("\r\n");
    }
    return out.append("0\r\n\r\n").toString();
  }

  @Override
  public void close() throws IOException {
    closed.countDown();
    server.close();
    Files.deleteIfExists(socket);
  }
}

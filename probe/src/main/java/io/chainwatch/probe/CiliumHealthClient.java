package io.chainwatch.probe;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Asks cilium-health for its status over its unix socket ({@code GET /v1beta/status}) and keeps the element of
 * {@code nodes[]} whose {@code name} equals {@code local.name}. A small HTTP/1.1 client over a JDK unix-domain
 * channel, bounded in time and size: a slow or broken agent costs at most {@code timeout} and never hangs the probe.
 */
public final class CiliumHealthClient {
  private static final int MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path socket;
  private final Duration timeout;
  /** Rounds in a row whose connection the socket refused. */
  private volatile int refusedInARow;
  /** After this many refused rounds the mounted socket is taken for stale (see {@link #looksStale}). */
  static final int STALE_AFTER_REFUSALS = 3;

  public CiliumHealthClient(Path socket, Duration timeout) {
    this.socket = socket;
    this.timeout = timeout;
  }

  public HealthReading localNode() {
    if (!Files.exists(socket)) {
      return HealthReading.failed("cilium-health socket " + socket + " does not exist (is cilium-agent running here, "
          + "and is its health socket mounted into the probe?)");
    }
    String body;
    try {
      body = get("/v1beta/status");
      refusedInARow = 0;
    } catch (java.net.ConnectException e) {
      refusedInARow++;
      return HealthReading.failed("cilium-health at " + socket + " refused the connection (" + refusedInARow
          + " rounds in a row): cilium-agent is down, or it restarted and created its socket anew"
          + (looksStale() ? "; the probe restarts to mount the current socket" : ""));
    } catch (IOException e) {
      refusedInARow = 0;
      return HealthReading.failed("cilium-health at " + socket + ": " + e.getMessage());
    }
    JsonNode status;
    try {
      status = JSON.readTree(body);
    } catch (JacksonException e) {
      return HealthReading.failed("cilium-health answered with malformed JSON: "
          + e.getOriginalMessage().replace('\n', ' '));
    }
    String local = status.path("local").path("name").asText(null);
    if (local == null || local.isEmpty()) {
      return HealthReading.failed("cilium-health status has no local.name");
    }
    for (JsonNode node : status.path("nodes")) {
      if (local.equals(node.path("name").asText(null))) {
        return HealthReading.of(node);
      }
    }
    return HealthReading.failed("cilium-health status lists no node named " + local + " (local.name)");
  }

  /**
   * Whether the socket the probe holds is most likely stale. The probe mounts the socket file alone: when cilium-agent
   * restarts it unlinks and creates its socket anew, and the bind mount keeps the old, dead one, which refuses every
   * connection for good. Only a new container mounts the current one, so the probe exits and the kubelet restarts it.
   */
  public boolean looksStale() {
    return refusedInARow >= STALE_AFTER_REFUSALS;
  }

  String get(String path) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector = Selector.open()) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      channel.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
      channel.configureBlocking(false);
      channel.register(selector, SelectionKey.OP_READ);
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
      while (true) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          throw new IOException("no complete answer within " + timeout.toMillis() + " ms");
        }
        selector.select(Math.max(1, remaining / 1_000_000));
        selector.selectedKeys().clear();
        int read = channel.read(buffer);
        if (read < 0) {
          break;
        }
        buffer.flip();
        response.write(buffer.array(), 0, buffer.limit());
        buffer.clear();
        if (response.size() > MAX_RESPONSE_BYTES) {
          throw new IOException("answer larger than " + MAX_RESPONSE_BYTES + " bytes");
        }
        String complete = completeBody(response.toByteArray());
        if (complete != null) {
          return complete;
        }
      }
      String complete = completeBody(response.toByteArray());
      if (complete == null) {
        throw new IOException("the connection closed before a complete HTTP answer arrived");
      }
      return complete;
    }
  }

  /** The body once the whole answer has arrived; {@code null} while more is expected. */
  static String completeBody(byte[] raw) throws IOException {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int headerEnd = text.indexOf("\r\n\r\n");
    if (headerEnd < 0) {
      return null;
    }
    String[] head = text.substring(0, headerEnd).split("\r\n");
    String[] statusLine = head[0].split(" ", 3);
    if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
      throw new IOException("not an HTTP answer: " + abbreviate(head[0]));
    }
    int status;
    try {
      status = Integer.parseInt(statusLine[1]);
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP status: " + abbreviate(head[0]));
    }
    boolean chunked = false;
    int length = -1;
    for (int i = 1; i < head.length; i++) {
      String header = head[i].toLowerCase(Locale.ROOT);
      if (header.startsWith("transfer-encoding:") && header.contains("chunked")) {
        chunked = true;
      } else if (header.startsWith("content-length:")) {
        String value = header.substring(15).trim();
        long parsed;
        try {
          parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
          throw new IOException("malformed Content-Length: " + abbreviate(value));
        }
        if (parsed < 0 || parsed > MAX_RESPONSE_BYTES) {
          throw new IOException("Content-Length " + abbreviate(value) + " is outside 0.." + MAX_RESPONSE_BYTES);
        }
        length = (int) parsed;
      }
    }
    byte[] body = java.util.Arrays.copyOfRange(raw, headerEnd + 4, raw.length);
    byte[] complete;
    if (chunked) {
      complete = dechunk(body);
    } else if (length >= 0) {
      complete = body.length >= length ? java.util.Arrays.copyOf(body, length) : null;
    } else {
      return null; // read until the connection closes
    }
    if (complete == null) {
      return null;
    }
    String decoded = new String(complete, StandardCharsets.UTF_8);
    if (status != 200) {
      throw new IOException("HTTP " + status + ": " + abbreviate(decoded));
    }
    return decoded;
  }

  private static byte[] dechunk(byte[] body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = 0;
    while (true) {
      int lineEnd = indexOf(body, at);
      if (lineEnd < 0) {
        return null;
      }
      String size = new String(body, at, lineEnd - at, StandardCharsets.US_ASCII).split(";")[0].trim();
      long chunk;
      try {
        chunk = Long.parseLong(size, 16);
      } catch (NumberFormatException e) {
        throw new IOException("malformed chunked encoding: chunk size " + abbreviate(size));
      }
      if (chunk < 0 || chunk > MAX_RESPONSE_BYTES) {
        throw new IOException("chunk size " + abbreviate(size) + " is outside 0.." + MAX_RESPONSE_BYTES);
      }
      at = lineEnd + 2;
      if (chunk == 0) {
        return out.toByteArray();
      }
      if ((long) at + chunk + 2 > body.length) {
        return null;
      }
      out.write(body, at, (int) chunk);
      at += (int) chunk + 2;
    }
  }

  private static int indexOf(byte[] data, int from) {
    for (int i = from; i + 1 < data.length; i++) {
      if (data[i] == '\r' && data[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static String abbreviate(String text) {
    String line = text.replaceAll("\\s+", " ").trim();
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}

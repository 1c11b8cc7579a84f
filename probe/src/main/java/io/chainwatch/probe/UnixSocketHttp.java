package io.chainwatch.probe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * A GET over a unix socket, the way cilium-dbg talks to cilium-agent and cilium-health: a small HTTP/1.1 client over a
 * JDK unix-domain channel that hands the body to a consumer as it arrives, so that a large answer (an agent's endpoint
 * list) is never held whole. Bounded in time (one deadline for connect, request and the whole answer) and size (head,
 * body, each chunk); a slow, endless or garbled answer is an {@link IOException} naming what was wrong, never a hang.
 */
final class UnixSocketHttp {
  private static final int MAX_HEAD_BYTES = 64 * 1024;
  private static final int MAX_ERROR_BODY_BYTES = 4 * 1024;

  /** Receives the body of a 200 answer as it arrives (chunked framing already removed). */
  interface BodyConsumer {
    void accept(byte[] data, int offset, int length) throws IOException;
  }

  private UnixSocketHttp() {}

  /** The whole body of a 200 answer as UTF-8 text, at most {@code maxBytes}. */
  static String getString(Path socket, String path, Duration timeout, int maxBytes) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    get(socket, path, timeout, maxBytes, body::write);
    return body.toString(StandardCharsets.UTF_8);
  }

  /**
   * GETs {@code path} and streams a 200 answer's body into {@code consumer}.
   *
   * @throws java.net.ConnectException when the socket refuses the connection (nobody listens on it)
   * @throws IOException on any other failure: another status (with the start of its body), a deadline passed, more
   *     than {@code maxBodyBytes}, broken framing, or an exception of the consumer
   */
  static void get(Path socket, String path, Duration timeout, long maxBodyBytes, BodyConsumer consumer)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector = Selector.open()) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      channel.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
      channel.configureBlocking(false);
      channel.register(selector, SelectionKey.OP_READ);
      Answer answer = new Answer(maxBodyBytes, consumer);
      ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
      while (!answer.complete()) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          throw new IOException("no complete answer within " + timeout.toMillis() + " ms");
        }
        selector.select(Math.max(1, remaining / 1_000_000));
        selector.selectedKeys().clear();
        int read = channel.read(buffer);
        if (read < 0) {
          answer.closed();
          break;
        }
        answer.feed(buffer.array(), 0, buffer.position());
        buffer.clear();
      }
      answer.finish();
    }
  }

  /** Parses one HTTP/1.1 answer incrementally: head, then the body by Content-Length, chunks, or until close. */
  private static final class Answer {
    private enum Phase { HEAD, BODY_LENGTH, BODY_UNTIL_CLOSE, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILER, DONE }

    private final long maxBodyBytes;
    private final BodyConsumer consumer;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errorBody = new ByteArrayOutputStream();
    /** {@code \r\n\r\n} as the last four bytes read. */
    private static final int BLANK_LINE = 0x0d0a0d0a;
    private int lastFour;
    private Phase phase = Phase.HEAD;
    private int status;
    private long remaining;
    private long bodyBytes;

    Answer(long maxBodyBytes, BodyConsumer consumer) {
      this.maxBodyBytes = maxBodyBytes;
      this.consumer = consumer;
    }

    boolean complete() {
      return phase == Phase.DONE;
    }

    void feed(byte[] data, int offset, int length) throws IOException {
      int at = offset;
      int end = offset + length;
      while (at < end && phase != Phase.DONE) {
        switch (phase) {
          case HEAD -> at = head(data, at, end);
          case BODY_LENGTH -> {
            int take = (int) Math.min(remaining, end - at);
            body(data, at, take);
            at += take;
            remaining -= take;
            if (remaining == 0) {
              phase = Phase.DONE;
            }
          }
          case BODY_UNTIL_CLOSE -> {
            body(data, at, end - at);
            at = end;
          }
          case CHUNK_SIZE -> at = chunkSize(data, at, end);
          case CHUNK_DATA -> {
            int take = (int) Math.min(remaining, end - at);
            body(data, at, take);
            at += take;
            remaining -= take;
            if (remaining == 0) {
              phase = Phase.CHUNK_DATA_END;
            }
          }
          case CHUNK_DATA_END -> {
            int lineEnd = lineEnd(data, at, end, 2);
            if (lineEnd < 0) {
              return;
            }
            at = lineEnd;
            if (line.size() != 0) {
              throw new IOException("malformed chunked encoding: a chunk is longer than its size says");
            }
            phase = Phase.CHUNK_SIZE;
          }
          case TRAILER -> {
            int lineEnd = lineEnd(data, at, end, MAX_HEAD_BYTES);
            if (lineEnd < 0) {
              return;
            }
            at = lineEnd;
            if (line.size() == 0) {
              phase = Phase.DONE;
            }
            line.reset();
          }
          default -> throw new IllegalStateException(phase.name());
        }
      }
    }

    /** The connection closed: only an answer framed by the close is complete then. */
    void closed() throws IOException {
      if (phase == Phase.BODY_UNTIL_CLOSE) {
        phase = Phase.DONE;
        return;
      }
      if (phase != Phase.DONE) {
        throw new IOException("the connection closed before a complete HTTP answer arrived");
      }
    }

    void finish() throws IOException {
      if (status != 200) {
        throw new IOException("HTTP " + status + ": " + abbreviate(errorBody.toString(StandardCharsets.UTF_8)));
      }
    }

    private int head(byte[] data, int at, int end) throws IOException {
      for (int i = at; i < end; i++) {
        line.write(data[i]);
        lastFour = (lastFour << 8) | (data[i] & 0xff); // the head's end is seen without copying what came before
        if (line.size() > MAX_HEAD_BYTES) {
          throw new IOException("answer head larger than " + MAX_HEAD_BYTES + " bytes");
        }
        if (lastFour == BLANK_LINE) {
          parseHead(line.toString(StandardCharsets.ISO_8859_1));
          line.reset();
          return i + 1;
        }
      }
      return end;
    }

    private void parseHead(String text) throws IOException {
      String[] head = text.substring(0, text.length() - 4).split("\r\n");
      String[] statusLine = head[0].split(" ", 3);
      if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
        throw new IOException("not an HTTP answer: " + abbreviate(head[0]));
      }
      try {
        status = Integer.parseInt(statusLine[1]);
      } catch (NumberFormatException e) {
        throw new IOException("not an HTTP status: " + abbreviate(head[0]));
      }
      boolean chunked = false;
      long length = -1;
      for (int i = 1; i < head.length; i++) {
        String header = head[i].toLowerCase(Locale.ROOT);
        if (header.startsWith("transfer-encoding:") && header.contains("chunked")) {
          chunked = true;
        } else if (header.startsWith("content-length:")) {
          String value = header.substring(15).trim();
          try {
            length = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw new IOException("malformed Content-Length: " + abbreviate(value));
          }
          if (length < 0 || length > maxBodyBytes) {
            throw new IOException("Content-Length " + abbreviate(value) + " is outside 0.." + maxBodyBytes);
          }
        }
      }
      if (chunked) {
        phase = Phase.CHUNK_SIZE;
      } else if (length >= 0) {
        remaining = length;
        phase = length == 0 ? Phase.DONE : Phase.BODY_LENGTH;
      } else {
        phase = Phase.BODY_UNTIL_CLOSE;
      }
    }

    private int chunkSize(byte[] data, int at, int end) throws IOException {
      int lineEnd = lineEnd(data, at, end, 1024);
      if (lineEnd < 0) {
        return end;
      }
      String size = line.toString(StandardCharsets.US_ASCII).split(";")[0].trim();
      line.reset();
      long chunk;
      try {
        chunk = Long.parseLong(size, 16);
      } catch (NumberFormatException e) {
        throw new IOException("malformed chunked encoding: chunk size " + abbreviate(size));
      }
      if (chunk < 0 || chunk > maxBodyBytes) {
        throw new IOException("chunk size " + abbreviate(size) + " is outside 0.." + maxBodyBytes);
      }
      remaining = chunk;
      phase = chunk == 0 ? Phase.TRAILER : Phase.CHUNK_DATA;
      return lineEnd;
    }

    /**
     * Collects a line into {@link #line} (without its CRLF); returns the index after its LF, or -1 when the line
     * goes on past {@code end}.
     */
    private int lineEnd(byte[] data, int at, int end, int maxLine) throws IOException {
      for (int i = at; i < end; i++) {
        byte b = data[i];
        if (b == '\n') {
          int size = line.size();
          if (size > 0 && line.toByteArray()[size - 1] == '\r') {
            byte[] content = java.util.Arrays.copyOf(line.toByteArray(), size - 1);
            line.reset();
            line.write(content, 0, content.length);
          }
          return i + 1;
        }
        line.write(b);
        if (line.size() > maxLine) {
          throw new IOException("malformed chunked encoding: a framing line longer than " + maxLine + " bytes");
        }
      }
      return -1;
    }

    private void body(byte[] data, int at, int length) throws IOException {
      if (length == 0) {
        return;
      }
      bodyBytes += length;
      if (bodyBytes > maxBodyBytes) {
        throw new IOException("answer larger than " + maxBodyBytes + " bytes");
      }
      if (status != 200) {
        errorBody.write(data, at, Math.min(length, MAX_ERROR_BODY_BYTES - errorBody.size()));
        return;
      }
      consumer.accept(data, at, length);
    }
  }

  static String abbreviate(String text) {
    String line = text.replaceAll("\\s+", " ").trim();
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}

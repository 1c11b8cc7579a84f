package io.chainwatch.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Node GET and PATCH against a hostile API server: every answer is bounded in time and size. */
class NodeAnnotationsTest {
  private HttpServer server;
  /** Released when the test ends: a server still trickling stops at once. */
  private final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);

  private NodeAnnotations serving(com.sun.net.httpserver.HttpHandler handler) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext("/", handler);
    server.start();
    return new NodeAnnotations(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), null, null,
        Duration.ofMillis(1500));
  }

  @AfterEach
  void stop() {
    done.countDown();
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void aBodyThatTricklesInIsCutOffAtTheExchangeTimeout() throws Exception {
    NodeAnnotations annotations = serving(exchange -> {
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        // one byte every 200 ms, for up to 12 s: far longer than the client's 1.5 s exchange deadline
        for (int i = 0; i < 60 && !done.await(200, java.util.concurrent.TimeUnit.MILLISECONDS); i++) {
          out.write(' ');
          out.flush();
        }
      } catch (InterruptedException | IOException e) {
        // the client went away: that is the point
      }
    });

    assertThatThrownBy(() -> annotations.get("n1")).isInstanceOf(IOException.class)
        .hasMessageContaining("GET node n1: no complete answer within 1500 ms");
  }

  @Test
  void anEndlessBodyStopsAtTheSizeLimit() throws Exception {
    NodeAnnotations annotations = serving(exchange -> {
      exchange.sendResponseHeaders(200, 0);
      byte[] block = "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
      try (OutputStream out = exchange.getResponseBody()) {
        for (int i = 0; i < 1024; i++) {
          out.write(block);
        }
      } catch (IOException e) {
        // cut off by the client
      }
    });

    assertThatThrownBy(() -> annotations.get("n1")).isInstanceOf(IOException.class)
        .hasMessageContaining("answer larger than " + NodeAnnotations.MAX_ANSWER_BYTES + " bytes");
  }

  @Test
  void aNormalAnswerIsRead() throws Exception {
    NodeAnnotations annotations = serving(exchange -> {
      byte[] body = "{\"metadata\":{\"annotations\":{\"a\":\"b\"}}}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });

    assertThat(annotations.get("n1")).containsEntry("a", "b");
  }
}

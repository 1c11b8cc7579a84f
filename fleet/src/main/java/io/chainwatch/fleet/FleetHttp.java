package io.chainwatch.fleet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The fleet's health and metrics over HTTP, read-only: {@code /metrics} (Prometheus text: Kafka Streams' own metrics
 * and {@code chainwatch_fleet_*}), {@code /healthz} (200 unless the instance failed or stopped: for the liveness
 * probe) and {@code /readyz} (200 while it processes, 503 while it rebalances or restores: for readiness). One thread,
 * GET only; nothing here changes state.
 */
final class FleetHttp implements AutoCloseable {
  private final HttpServer server;

  FleetHttp(int port, PrometheusMeterRegistry registry, Supplier<KafkaStreams.State> state) throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 16);
    server.setExecutor(Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "chainwatch-fleet-http");
      thread.setDaemon(true);
      return thread;
    }));
    server.createContext("/metrics", exchange -> answer(exchange, 200, registry.scrape(),
        "text/plain; version=0.0.4; charset=utf-8"));
    server.createContext("/healthz", exchange -> {
      KafkaStreams.State now = state.get();
      boolean alive = now != KafkaStreams.State.ERROR && now != KafkaStreams.State.NOT_RUNNING
          && now != KafkaStreams.State.PENDING_ERROR;
      answer(exchange, alive ? 200 : 503, now + "\n", "text/plain; charset=utf-8");
    });
    server.createContext("/readyz", exchange -> {
      KafkaStreams.State now = state.get();
      answer(exchange, now == KafkaStreams.State.RUNNING ? 200 : 503, now + "\n", "text/plain; charset=utf-8");
    });
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void answer(HttpExchange exchange, int status, String body, String type) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET")) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

package io.chainwatch.watcher.health;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.function.Supplier;

/**
 * Serves {@code /healthz} (liveness: no informer has stopped for good), {@code /readyz} (every informer synced and
 * evaluation running) and {@code /metrics} (Prometheus) on one port.
 */
public final class HealthVerticle extends VerticleBase {
  private final int port;
  private final WatcherMetrics metrics;
  private final Supplier<List<String>> notReadyReasons;
  private final Supplier<List<String>> unhealthyReasons;
  private HttpServer server;

  /**
   * @param port TCP port, 0 for any free one
   * @param metrics meters to expose
   * @param notReadyReasons why the process is not ready; empty when ready
   * @param unhealthyReasons why the process should be restarted; empty when healthy
   */
  public HealthVerticle(int port, WatcherMetrics metrics, Supplier<List<String>> notReadyReasons,
      Supplier<List<String>> unhealthyReasons) {
    this.port = port;
    this.metrics = metrics;
    this.notReadyReasons = notReadyReasons;
    this.unhealthyReasons = unhealthyReasons;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/healthz").handler(ctx -> respond(ctx, unhealthyReasons.get(), "ok"));
    router.get("/readyz").handler(ctx -> respond(ctx, notReadyReasons.get(), "ready"));
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(metrics.scrape()));
    return vertx.createHttpServer().requestHandler(router).listen(port).onSuccess(s -> server = s);
  }

  private static void respond(io.vertx.ext.web.RoutingContext ctx, List<String> problems, String okText) {
    if (problems.isEmpty()) {
      ctx.response().putHeader("Content-Type", "text/plain").end(okText + "\n");
    } else {
      ctx.response().setStatusCode(503).putHeader("Content-Type", "text/plain")
          .end(String.join("\n", problems) + "\n");
    }
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }
}

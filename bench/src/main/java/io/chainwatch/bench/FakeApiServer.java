package io.chainwatch.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketBase;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A minimal Kubernetes API server for benchmarks: serves lists with {@code limit}/{@code continue} paging, streamed
 * so it never holds a whole list, and watches (WebSocket, as fabric8 asks first, or chunked HTTP) fed by
 * {@link #publish}. fabric8's own mock server ignores {@code limit} and keeps every object in memory, so it cannot
 * show paging or hold 150k pods; this one renders objects on demand.
 */
final class FakeApiServer implements AutoCloseable {
  /** A collection served at one path: its size and how to render item {@code i}. */
  record Collection(String apiVersion, String listKind, int size, IntFunction<String> item) {}

  private final Vertx vertx = Vertx.vertx();
  private final Map<String, Collection> collections = new ConcurrentHashMap<>();
  private final Map<String, List<WebSocketBase>> sockets = new ConcurrentHashMap<>();
  private final Map<String, List<HttpServerResponse>> httpWatches = new ConcurrentHashMap<>();
  private volatile String resourceVersion = "1";
  /** Watch events written but not yet flushed to the socket: the sender waits above {@link #MAX_PENDING}. */
  private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();
  private static final int MAX_PENDING = 256;
  private HttpServer server;

  FakeApiServer serve(String path, Collection collection) {
    collections.put(path, collection);
    return this;
  }

  boolean serves(String path) {
    return collections.containsKey(path);
  }

  private boolean webSockets = true;

  /** Answers one request whose method and path match, given its body. */
  interface Answer {
    void answer(HttpServerRequest request, String body);
  }

  private record Route(io.vertx.core.http.HttpMethod method, java.util.regex.Pattern path, Answer answer) {}

  private final List<Route> routes = new CopyOnWriteArrayList<>();

  /** Serves requests other than lists and watches: writes such as evictions and ConfigMap updates. */
  FakeApiServer answer(io.vertx.core.http.HttpMethod method, String pathRegex, Answer answer) {
    routes.add(new Route(method, java.util.regex.Pattern.compile(pathRegex), answer));
    return this;
  }

  /** Refuses WebSocket upgrades, so clients fall back to chunked HTTP watches. */
  FakeApiServer httpWatchesOnly() {
    webSockets = false;
    return this;
  }

  FakeApiServer start() throws Exception {
    server = vertx.createHttpServer()
        .webSocketHandshakeHandler(handshake -> {
          if (webSockets) {
            handshake.accept();
          } else {
            handshake.reject(503);
          }
        })
        .webSocketHandler(this::onWebSocket)
        .requestHandler(this::onRequest)
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    return this;
  }

  /**
   * The ids of this server's event-loop threads, for CPU accounting: they carry the same names as chainwatch's. One
   * verticle instance per loop and then some (instances are spread over the loops round-robin).
   */
  java.util.Set<Long> eventLoopThreadIds() throws Exception {
    java.util.Set<Long> ids = ConcurrentHashMap.newKeySet();
    int loops = 2 * Runtime.getRuntime().availableProcessors(); // Vert.x's default event-loop pool size
    String deployment = vertx.deployVerticle(() -> new io.vertx.core.VerticleBase() {
      @Override
      public io.vertx.core.Future<?> start() throws Exception {
        ids.add(Thread.currentThread().getId());
        return super.start();
      }
    }, new io.vertx.core.DeploymentOptions().setInstances(2 * loops)).await(10, TimeUnit.SECONDS);
    vertx.undeploy(deployment).await(10, TimeUnit.SECONDS);
    return ids;
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  void resourceVersion(long value) {
    resourceVersion = Long.toString(value);
  }

  private void onWebSocket(ServerWebSocket socket) {
    sockets.computeIfAbsent(socket.path(), p -> new CopyOnWriteArrayList<>()).add(socket);
    socket.closeHandler(v -> sockets.getOrDefault(socket.path(), List.of()).remove(socket));
  }

  private void onRequest(HttpServerRequest request) {
    for (Route route : routes) {
      if (route.method().equals(request.method()) && route.path().matcher(request.path()).matches()) {
        request.body().onSuccess(body -> route.answer().answer(request, body.toString()));
        return;
      }
    }
    Collection collection = collections.get(request.path());
    HttpServerResponse response = request.response();
    if (collection == null) {
      response.setStatusCode(404).putHeader("Content-Type", "application/json")
          .end("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":404,\"reason\":"
              + "\"NotFound\",\"message\":\"" + request.path() + " is not served\"}");
      return;
    }
    if ("true".equals(request.getParam("watch"))) {
      response.setChunked(true).putHeader("Content-Type", "application/json");
      response.writeHead();
      httpWatches.computeIfAbsent(request.path(), p -> new CopyOnWriteArrayList<>()).add(response);
      response.closeHandler(v -> httpWatches.getOrDefault(request.path(), List.of()).remove(response));
      return;
    }
    int from = request.getParam("continue") == null ? 0 : Integer.parseInt(request.getParam("continue"));
    int limit = request.getParam("limit") == null ? Integer.MAX_VALUE : Integer.parseInt(request.getParam("limit"));
    int to = (int) Math.min(collection.size(), (long) from + limit);
    String next = to < collection.size() ? ",\"continue\":\"" + to + "\"" : "";
    response.setChunked(true).putHeader("Content-Type", "application/json");
    response.write("{\"apiVersion\":\"" + collection.apiVersion() + "\",\"kind\":\"" + collection.listKind()
        + "\",\"metadata\":{\"resourceVersion\":\"" + resourceVersion + "\"" + next + "},\"items\":[");
    writeItems(response, collection, from, from, to);
  }

  /** Writes items in chunks and waits for the socket to drain, so a long list is never buffered whole. */
  private void writeItems(HttpServerResponse response, Collection collection, int first, int from, int to) {
    if (response.closed() || response.ended()) {
      return; // the client went away mid-list (a probe that finished, or one that ran out of memory)
    }
    int i = from;
    while (i < to) {
      StringBuilder chunk = new StringBuilder(64 * 1024);
      int end = Math.min(to, i + 32);
      for (; i < end; i++) {
        if (i > first) {
          chunk.append(',');
        }
        chunk.append(collection.item().apply(i));
      }
      response.write(Buffer.buffer(chunk.toString()));
      if (response.writeQueueFull()) {
        int resume = i;
        response.drainHandler(v -> writeItems(response, collection, first, resume, to));
        return;
      }
    }
    response.end("]}");
  }

  /** Open watches on {@code path}. */
  int watchers(String path) {
    return sockets.getOrDefault(path, List.of()).size() + httpWatches.getOrDefault(path, List.of()).size();
  }

  /**
   * Sends one watch event to every watch open on {@code path}. Returns false, without sending, while too many earlier
   * events are still unflushed: the client is not keeping up, and the caller should wait and retry.
   */
  boolean publish(String path, String type, String objectJson) {
    return publish(path, event(type, objectJson));
  }

  /** A watch event encoded once, so sending it costs the harness no encoding work. */
  static Buffer event(String type, String objectJson) {
    return Buffer.buffer("{\"type\":\"" + type + "\",\"object\":" + objectJson + "}");
  }

  /** Sends a pre-encoded watch event; see {@link #publish(String, String, String)}. */
  boolean publish(String path, Buffer event) {
    if (pending.get() >= MAX_PENDING) {
      return false;
    }
    for (WebSocketBase socket : sockets.getOrDefault(path, List.of())) {
      pending.incrementAndGet();
      // a binary frame carries the same UTF-8 JSON; fabric8 decodes both frame types alike
      socket.writeBinaryMessage(event).onComplete(done -> pending.decrementAndGet());
    }
    for (HttpServerResponse response : httpWatches.getOrDefault(path, List.of())) {
      pending.incrementAndGet();
      response.write(event.copy().appendString("\n")).onComplete(done -> pending.decrementAndGet());
    }
    return true;
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}

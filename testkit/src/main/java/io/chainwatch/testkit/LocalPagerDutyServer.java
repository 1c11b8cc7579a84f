package io.chainwatch.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A local server that speaks PagerDuty's Events API v2 ({@code POST /v2/enqueue}) the way the real one answers:
 * {@code 202 {"status":"success","message":"Event processed","dedup_key":...}} for a valid event,
 * {@code 400 {"status":"invalid event","message":"Event object is invalid","errors":[...]}} naming each problem, and
 * {@code 429} when rate limited. It keeps the accepted events, the alerts they make (one per dedup key, triggered or
 * resolved), and plays faults on demand: 429 with Retry-After, 5xx, or being down (every request answered 503).
 */
public final class LocalPagerDutyServer implements AutoCloseable {
  /** An accepted event. */
  public record Event(String routingKey, String action, String dedupKey, JsonObject payload, JsonArray links,
      Instant at) {}

  private static final Set<String> ACTIONS = Set.of("trigger", "acknowledge", "resolve");
  private static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");

  private final Vertx vertx;
  private final HttpServer server;
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final Queue<Integer> faults = new ConcurrentLinkedQueue<>();
  private final List<Instant> rejected = new CopyOnWriteArrayList<>();
  private volatile int retryAfterSeconds = 1;
  private volatile boolean down;

  private LocalPagerDutyServer(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  public static LocalPagerDutyServer start() throws Exception {
    Vertx vertx = Vertx.vertx();
    LocalPagerDutyServer[] holder = new LocalPagerDutyServer[1];
    HttpServer server = vertx.createHttpServer().requestHandler(request -> holder[0].handle(request));
    holder[0] = new LocalPagerDutyServer(vertx, server);
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return holder[0];
  }

  /** The URL to post events to (what {@code https://events.pagerduty.com/v2/enqueue} is in production). */
  public String enqueueUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/v2/enqueue";
  }

  public List<Event> events() {
    return List.copyOf(events);
  }

  /** Requests refused by a fault or while down. */
  public int refused() {
    return rejected.size();
  }

  /** The next requests get these statuses (429 carries Retry-After), one each. */
  public LocalPagerDutyServer failNext(int... statuses) {
    for (int status : statuses) {
      faults.add(status);
    }
    return this;
  }

  public LocalPagerDutyServer retryAfter(int seconds) {
    this.retryAfterSeconds = seconds;
    return this;
  }

  /** While down, every request is answered 503 (an outage of the Events API). */
  public LocalPagerDutyServer down(boolean down) {
    this.down = down;
    return this;
  }

  /** The alert of a dedup key as PagerDuty would show it: triggered or resolved, with its last summary. */
  public String alertState(String dedupKey) {
    String state = null;
    for (Event event : events) {
      if (event.dedupKey().equals(dedupKey)) {
        state = event.action().equals("resolve") ? "resolved" : state == null || state.equals("resolved")
            ? "triggered" : state;
        if (event.action().equals("acknowledge") && !"resolved".equals(state)) {
          state = "acknowledged";
        }
      }
    }
    return state;
  }

  private void handle(HttpServerRequest request) {
    request.body().onComplete(body -> {
      var response = request.response().putHeader("Content-Type", "application/json");
      if (!request.method().name().equals("POST") || !request.path().equals("/v2/enqueue")) {
        response.setStatusCode(404).end(new JsonObject().put("status", "not found").encode());
        return;
      }
      Integer fault = down ? Integer.valueOf(503) : faults.poll();
      if (fault != null) {
        rejected.add(Instant.now());
        if (fault == 429) {
          response.setStatusCode(429).putHeader("Retry-After", String.valueOf(retryAfterSeconds))
              .end(new JsonObject().put("status", "throttle event").put("message", "Requests for this service are "
                  + "arriving too quickly. Please retry later.").encode());
        } else if (fault == 400) {
          invalid(response, List.of("'payload.summary' is missing or blank"));
        } else {
          response.setStatusCode(fault).end(new JsonObject().put("status", "error")
              .put("message", "Internal Server Error").encode());
        }
        return;
      }
      JsonObject event;
      try {
        event = body.succeeded() ? body.result().toJsonObject() : null;
      } catch (DecodeException | ClassCastException e) {
        event = null;
      }
      if (event == null) {
        invalid(response, List.of("Event object is not valid JSON"));
        return;
      }
      List<String> errors = new ArrayList<>();
      String routingKey = event.getString("routing_key");
      if (routingKey == null || routingKey.length() != 32) {
        errors.add("'routing_key' is invalid");
      }
      String action = event.getString("event_action");
      if (action == null || !ACTIONS.contains(action)) {
        errors.add("'event_action' is invalid");
      }
      String dedupKey = event.getString("dedup_key");
      if (dedupKey != null && dedupKey.length() > 255) {
        errors.add("'dedup_key' is too long");
      }
      if ((dedupKey == null || dedupKey.isEmpty()) && !"trigger".equals(action)) {
        errors.add("'dedup_key' is required for " + action + " events");
      }
      JsonObject payload = event.getJsonObject("payload");
      if ("trigger".equals(action)) {
        if (payload == null) {
          errors.add("'payload' is missing or blank");
        } else {
          String summary = payload.getString("summary");
          if (summary == null || summary.isBlank()) {
            errors.add("'payload.summary' is missing or blank");
          } else if (summary.length() > 1024) {
            errors.add("'payload.summary' is longer than 1024 characters");
          }
          if (payload.getString("source") == null || payload.getString("source").isBlank()) {
            errors.add("'payload.source' is missing or blank");
          }
          if (!SEVERITIES.contains(String.valueOf(payload.getString("severity")))) {
            errors.add("'payload.severity' is invalid (must be one of the following: 'critical', 'warning', "
                + "'error' or 'info')");
          }
        }
      }
      if (!errors.isEmpty()) {
        invalid(response, errors);
        return;
      }
      events.add(new Event(routingKey, action, dedupKey, payload, event.getJsonArray("links"), Instant.now()));
      response.setStatusCode(202).end(new JsonObject().put("status", "success").put("message", "Event processed")
          .put("dedup_key", dedupKey).encode());
    });
  }

  private static void invalid(io.vertx.core.http.HttpServerResponse response, List<String> errors) {
    response.setStatusCode(400).end(new JsonObject().put("status", "invalid event")
        .put("message", "Event object is invalid").put("errors", new JsonArray(errors)).encode());
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}

package io.chainwatch.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local server that speaks the part of Opsgenie's Alert API chainwatch uses, as the real one answers: create
 * ({@code POST /v2/alerts}; an open alert with the same alias is deduplicated, its count grows), add note
 * ({@code POST /v2/alerts/{alias}/notes?identifierType=alias}), update description and priority ({@code PUT}), close
 * ({@code POST /v2/alerts/{alias}/close?identifierType=alias}). Every request needs {@code Authorization: GenieKey
 * <key>}. Success is {@code 202 {"result":"Request will be processed","took":...,"requestId":...}}; a bad body is
 * {@code 422} with {@code errors}; a wrong key {@code 401 {"message":"Could not authenticate"}}; and it plays 429 with
 * Retry-After, 5xx, or being down on demand.
 */
public final class LocalOpsgenieServer implements AutoCloseable {
  /** An alert as Opsgenie keeps it. */
  public static final class Alert {
    public final String alias;
    public volatile String message;
    public volatile String description;
    public volatile String priority;
    public volatile JsonArray responders;
    public volatile boolean open = true;
    public volatile int count = 1;
    public final List<String> notes = new CopyOnWriteArrayList<>();

    Alert(String alias) {
      this.alias = alias;
    }
  }

  /** One request as received. */
  public record Call(String method, String path, JsonObject body, Instant at) {}

  private static final Pattern ALERT_ACTION = Pattern.compile("/v2/alerts/([^/]+)/(notes|close|description|priority)");

  private final Vertx vertx;
  private final HttpServer server;
  private final String apiKey;
  private final Map<String, Alert> alerts = new ConcurrentHashMap<>();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Queue<Integer> faults = new ConcurrentLinkedQueue<>();
  private volatile boolean down;
  private volatile int refused;

  private LocalOpsgenieServer(Vertx vertx, HttpServer server, String apiKey) {
    this.vertx = vertx;
    this.server = server;
    this.apiKey = apiKey;
  }

  public static LocalOpsgenieServer start(String apiKey) throws Exception {
    Vertx vertx = Vertx.vertx();
    LocalOpsgenieServer[] holder = new LocalOpsgenieServer[1];
    HttpServer server = vertx.createHttpServer().requestHandler(request -> holder[0].handle(request));
    holder[0] = new LocalOpsgenieServer(vertx, server, apiKey);
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return holder[0];
  }

  /** The base URL ({@code https://api.opsgenie.com} in production). */
  public String apiUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public Alert alert(String alias) {
    return alerts.get(alias);
  }

  public List<Call> calls() {
    return List.copyOf(calls);
  }

  public int refused() {
    return refused;
  }

  public LocalOpsgenieServer failNext(int... statuses) {
    for (int status : statuses) {
      faults.add(status);
    }
    return this;
  }

  public LocalOpsgenieServer down(boolean down) {
    this.down = down;
    return this;
  }

  private void handle(HttpServerRequest request) {
    request.body().onComplete(body -> {
      HttpServerResponse response = request.response().putHeader("Content-Type", "application/json");
      Integer fault = down ? Integer.valueOf(503) : faults.poll();
      if (fault != null) {
        refused++;
        if (fault == 429) {
          response.putHeader("Retry-After", "1");
          answer(response, 429, new JsonObject().put("message", "You are making too many requests! To avoid errors, "
              + "we recommend you limit requests."));
        } else {
          answer(response, fault, new JsonObject().put("message", "Internal Server Error"));
        }
        return;
      }
      if (!("GenieKey " + apiKey).equals(request.getHeader("Authorization"))) {
        answer(response, 401, new JsonObject().put("message", "Could not authenticate"));
        return;
      }
      JsonObject json;
      try {
        json = body.succeeded() && body.result().length() > 0 ? body.result().toJsonObject() : new JsonObject();
      } catch (RuntimeException e) {
        answer(response, 400, new JsonObject().put("message", "Could not parse request body"));
        return;
      }
      calls.add(new Call(request.method().name(), request.uri(), json, Instant.now()));
      String path = request.path();
      if (request.method().name().equals("POST") && path.equals("/v2/alerts")) {
        create(response, json);
        return;
      }
      Matcher action = ALERT_ACTION.matcher(path);
      if (!action.matches() || !"alias".equals(request.getParam("identifierType"))) {
        answer(response, 404, new JsonObject().put("message", "Not found"));
        return;
      }
      Alert alert = alerts.get(action.group(1));
      if (alert == null) {
        answer(response, 404, new JsonObject().put("message", "Alert with alias [" + action.group(1)
            + "] does not exist"));
        return;
      }
      switch (action.group(2)) {
        case "notes" -> alert.notes.add(json.getString("note", ""));
        case "close" -> {
          alert.open = false;
          if (json.getString("note") != null) {
            alert.notes.add(json.getString("note"));
          }
        }
        case "description" -> alert.description = json.getString("description");
        default -> {
          String priority = json.getString("priority");
          if (priority == null || !priority.matches("P[1-5]")) {
            answer(response, 422, new JsonObject().put("message", "Request body is not processable. Please check "
                + "the errors.").put("errors", new JsonObject().put("priority", "Priority should be one of "
                + "[P1, P2, P3, P4, P5]")));
            return;
          }
          alert.priority = priority;
        }
      }
      accepted(response);
    });
  }

  private void create(HttpServerResponse response, JsonObject json) {
    String message = json.getString("message");
    JsonObject errors = new JsonObject();
    if (message == null || message.isBlank()) {
      errors.put("message", "Message can not be empty.");
    } else if (message.length() > 130) {
      errors.put("message", "Message can not be longer than 130 characters.");
    }
    String alias = json.getString("alias");
    if (alias != null && alias.length() > 512) {
      errors.put("alias", "Alias can not be longer than 512 characters.");
    }
    if (json.getString("description", "").length() > 15_000) {
      errors.put("description", "Description can not be longer than 15000 characters.");
    }
    String priority = json.getString("priority", "P3");
    if (!priority.matches("P[1-5]")) {
      errors.put("priority", "Priority should be one of [P1, P2, P3, P4, P5]");
    }
    if (!errors.isEmpty()) {
      answer(response, 422, new JsonObject().put("message", "Request body is not processable. Please check the "
          + "errors.").put("errors", errors));
      return;
    }
    String key = alias == null ? UUID.randomUUID().toString() : alias;
    Alert existing = alerts.get(key);
    if (existing != null && existing.open) {
      existing.count++; // Opsgenie deduplicates an open alert with the same alias
    } else {
      Alert alert = new Alert(key);
      alert.message = message;
      alert.description = json.getString("description");
      alert.priority = priority;
      alert.responders = json.getJsonArray("responders", new JsonArray());
      alerts.put(key, alert);
    }
    accepted(response);
  }

  private static void accepted(HttpServerResponse response) {
    answer(response, 202, new JsonObject().put("result", "Request will be processed"));
  }

  private static void answer(HttpServerResponse response, int status, JsonObject body) {
    response.setStatusCode(status).end(body.put("took", 0.003).put("requestId", UUID.randomUUID().toString())
        .encode());
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}

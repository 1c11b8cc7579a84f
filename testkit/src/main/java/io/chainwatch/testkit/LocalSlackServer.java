package io.chainwatch.testkit;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A local HTTP server that speaks the part of the Slack Web API chainwatch uses ({@code auth.test},
 * {@code chat.postMessage}, {@code chat.update}), as the real Slack SDK calls it: form-encoded POSTs to
 * {@code <apiUrl><method>}. It keeps the channel's messages, records every call, and plays faults on demand: 429 with
 * Retry-After, 5xx, {@code ok:false} with an error code, or a response that never comes.
 */
public final class LocalSlackServer implements AutoCloseable {
  /** One call as received. */
  public record Call(String method, Map<String, String> params, Instant at) {}

  /** A message in the channel, with its edits. */
  public static final class Message {
    public final String channel;
    public final String ts;
    public final String threadTs;
    public volatile String text;
    public volatile JsonArray blocks;
    public volatile int edits;

    Message(String channel, String ts, String threadTs, String text, JsonArray blocks) {
      this.channel = channel;
      this.ts = ts;
      this.threadTs = threadTs;
      this.text = text;
      this.blocks = blocks;
    }
  }

  /** A fault to play on the next call of a method. */
  public sealed interface Fault permits RateLimited, ServerError, NotOk, Hang {}

  public record RateLimited(int retryAfterSeconds) implements Fault {}

  public record ServerError(int status) implements Fault {}

  public record NotOk(String error) implements Fault {}

  public record Hang(Duration duration) implements Fault {}

  private final Vertx vertx = Vertx.vertx();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Map<String, Message> messages = Collections.synchronizedMap(new LinkedHashMap<>());
  private final Map<String, Queue<Fault>> faults = new ConcurrentHashMap<>();
  private final AtomicLong nextTs = new AtomicLong(1_764_000_000_000_100L);
  private volatile Consumer<Message> listener = message -> { };
  private HttpServer server;

  public static LocalSlackServer start() {
    LocalSlackServer slack = new LocalSlackServer();
    try {
      slack.server = slack.vertx.createHttpServer().requestHandler(slack::handle).listen(0, "127.0.0.1")
          .await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("local Slack server did not start", e);
    }
    return slack;
  }

  /** The base URL for the SDK's methods endpoint ({@code slack.apiUrl}). */
  public String apiUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/api/";
  }

  /** Plays {@code fault} on the next call of {@code method} (queued in order). */
  public void failNext(String method, Fault fault) {
    faults.computeIfAbsent(method, m -> new ConcurrentLinkedQueue<>()).add(fault);
  }

  /** Called for every new or edited message (the demo prints them). */
  public void onMessage(Consumer<Message> listener) {
    this.listener = listener;
  }

  public List<Call> calls() {
    return List.copyOf(calls);
  }

  public List<Call> calls(String method) {
    return calls.stream().filter(call -> call.method().equals(method)).toList();
  }

  /** Root messages (not thread replies), oldest first. */
  public List<Message> roots() {
    synchronized (messages) {
      return messages.values().stream().filter(m -> m.threadTs == null).toList();
    }
  }

  /** Replies in the thread of {@code rootTs}, oldest first. */
  public List<Message> replies(String rootTs) {
    synchronized (messages) {
      return messages.values().stream().filter(m -> rootTs.equals(m.threadTs)).toList();
    }
  }

  private void handle(HttpServerRequest request) {
    String method = request.path().replaceFirst("^/api/", "");
    request.setExpectMultipart(true);
    request.end().onComplete(done -> {
      Map<String, String> params = new LinkedHashMap<>();
      MultiMap form = request.formAttributes();
      form.forEach(entry -> params.put(entry.getKey(), entry.getValue()));
      calls.add(new Call(method, params, Instant.now()));
      Queue<Fault> queued = faults.get(method);
      Fault fault = queued == null ? null : queued.poll();
      if (fault instanceof RateLimited limited) {
        request.response().setStatusCode(429).putHeader("Retry-After", Integer.toString(limited.retryAfterSeconds()))
            .putHeader("Content-Type", "application/json").end("{\"ok\":false,\"error\":\"ratelimited\"}");
      } else if (fault instanceof ServerError error) {
        request.response().setStatusCode(error.status()).end("upstream trouble");
      } else if (fault instanceof NotOk notOk) {
        json(request, new JsonObject().put("ok", false).put("error", notOk.error()));
      } else if (fault instanceof Hang hang) {
        vertx.setTimer(hang.duration().toMillis(), id -> {
          if (!request.response().closed()) {
            request.response().setStatusCode(504).end();
          }
        });
      } else {
        answer(method, params, request);
      }
    });
  }

  private void answer(String method, Map<String, String> params, HttpServerRequest request) {
    switch (method) {
      case "auth.test" -> json(request, new JsonObject().put("ok", true).put("team_id", "T0LOCAL")
          .put("user_id", "U0CHAINWATCH").put("bot_id", "B0CHAINWATCH").put("team", "local"));
      case "chat.postMessage" -> {
        String ts = String.format("%d.%06d", nextTs.get() / 1_000_000, nextTs.getAndIncrement() % 1_000_000);
        Message message = new Message(params.getOrDefault("channel", ""), ts, params.get("thread_ts"),
            params.getOrDefault("text", ""), blocks(params));
        messages.put(ts, message);
        listener.accept(message);
        json(request, new JsonObject().put("ok", true).put("channel", "C0LOCAL").put("ts", ts)
            .put("message", new JsonObject().put("text", message.text).put("ts", ts)));
      }
      case "chat.update" -> {
        Message message = messages.get(params.getOrDefault("ts", ""));
        if (message == null) {
          json(request, new JsonObject().put("ok", false).put("error", "message_not_found"));
          return;
        }
        message.text = params.getOrDefault("text", message.text);
        message.blocks = params.containsKey("blocks") ? blocks(params) : message.blocks;
        message.edits++;
        listener.accept(message);
        json(request, new JsonObject().put("ok", true).put("channel", "C0LOCAL").put("ts", message.ts)
            .put("text", message.text));
      }
      default -> json(request, new JsonObject().put("ok", false).put("error", "unknown_method"));
    }
  }

  private static JsonArray blocks(Map<String, String> params) {
    String blocks = params.get("blocks");
    return blocks == null || blocks.isBlank() ? new JsonArray() : new JsonArray(blocks);
  }

  private static void json(HttpServerRequest request, JsonObject body) {
    request.response().putHeader("Content-Type", "application/json").end(body.encode());
  }

  /** The messages' texts, for assertions and printing. */
  public List<String> texts() {
    List<String> texts = new ArrayList<>();
    synchronized (messages) {
      messages.values().forEach(m -> texts.add(m.text));
    }
    return texts;
  }

  @Override
  public void close() {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing a test server
    }
  }
}

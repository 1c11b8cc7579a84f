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
 * {@code chat.postMessage}, {@code chat.update}, {@code chat.postEphemeral}, {@code usergroups.users.list},
 * {@code apps.connections.open}), as the real Slack SDK calls it: form-encoded POSTs to {@code <apiUrl><method>}. It
 * keeps the channels' messages (a channel named {@code #name} gets a stable id, which answers carry, as Slack's do),
 * records every call, and plays faults on demand: 429 with Retry-After, 5xx, {@code ok:false} with an error code, or a
 * response that never comes.
 *
 * <p>Socket Mode: {@code apps.connections.open} (with an app-level {@code xapp-} token) answers a {@code ws://} URL on
 * this server; the WebSocket says {@code hello}, and {@link #click} delivers real {@code block_actions} payloads in
 * {@code interactive} envelopes. An envelope not acknowledged ({@code {"envelope_id": ...}}) is delivered again on
 * the next connection with {@code retry_attempt} raised, as Slack retries; {@link #refreshConnection} plays Slack's
 * {@code disconnect} ({@code refresh_requested}) and {@link #dropConnection} a connection lost without a word.
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
  private final Map<String, List<String>> userGroups = new ConcurrentHashMap<>();
  /** Envelopes sent and not acknowledged, oldest first. */
  private final Map<String, JsonObject> unacked = Collections.synchronizedMap(new LinkedHashMap<>());
  private final List<String> acknowledged = new CopyOnWriteArrayList<>();
  private final AtomicLong connections = new AtomicLong();
  private volatile io.vertx.core.http.ServerWebSocket socket;
  private volatile boolean losingAcks;

  public static LocalSlackServer start() {
    LocalSlackServer slack = new LocalSlackServer();
    try {
      slack.server = slack.vertx.createHttpServer().requestHandler(slack::handle)
          .webSocketHandler(slack::connected).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
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
    String bearer = String.valueOf(request.getHeader("Authorization"));
    switch (method) {
      case "apps.connections.open" -> {
        if (!bearer.startsWith("Bearer xapp-")) {
          // Slack answers a bot token here with not_allowed_token_type
          json(request, new JsonObject().put("ok", false).put("error", bearer.startsWith("Bearer xox")
              ? "not_allowed_token_type" : "invalid_auth"));
          return;
        }
        json(request, new JsonObject().put("ok", true).put("url", "ws://127.0.0.1:" + server.actualPort()
            + "/link/?ticket=" + java.util.UUID.randomUUID() + "&app_id=A0LOCAL"));
      }
      case "usergroups.users.list" -> {
        List<String> users = userGroups.get(params.getOrDefault("usergroup", ""));
        json(request, users == null ? new JsonObject().put("ok", false).put("error", "no_such_subteam")
            : new JsonObject().put("ok", true).put("users", new JsonArray(users)));
      }
      case "chat.postEphemeral" -> json(request, new JsonObject().put("ok", true)
          .put("message_ts", String.format("%d.%06d", nextTs.get() / 1_000_000,
              nextTs.getAndIncrement() % 1_000_000)));
      case "auth.test" -> json(request, new JsonObject().put("ok", true).put("team_id", "T0LOCAL")
          .put("user_id", "U0CHAINWATCH").put("bot_id", "B0CHAINWATCH").put("team", "local"));
      case "chat.postMessage" -> {
        String ts = String.format("%d.%06d", nextTs.get() / 1_000_000, nextTs.getAndIncrement() % 1_000_000);
        String channel = channelId(params.getOrDefault("channel", ""));
        Message message = new Message(channel, ts, params.get("thread_ts"),
            params.getOrDefault("text", ""), blocks(params));
        messages.put(ts, message);
        listener.accept(message);
        json(request, new JsonObject().put("ok", true).put("channel", channel).put("ts", ts)
            .put("message", new JsonObject().put("text", message.text).put("ts", ts)));
      }
      case "chat.update" -> {
        Message message = messages.get(params.getOrDefault("ts", ""));
        if (message == null || !message.channel.equals(channelId(params.getOrDefault("channel", "")))) {
          json(request, new JsonObject().put("ok", false).put("error", "message_not_found"));
          return;
        }
        message.text = params.getOrDefault("text", message.text);
        message.blocks = params.containsKey("blocks") ? blocks(params) : message.blocks;
        message.edits++;
        listener.accept(message);
        json(request, new JsonObject().put("ok", true).put("channel", message.channel).put("ts", message.ts)
            .put("text", message.text));
      }
      default -> json(request, new JsonObject().put("ok", false).put("error", "unknown_method"));
    }
  }

  /** A channel's id: ids stay as they are, a {@code #name} gets a stable one (C + letters of its hash). */
  public static String channelId(String channel) {
    if (!channel.startsWith("#")) {
      return channel;
    }
    return "C" + Integer.toUnsignedString(channel.substring(1).hashCode(), 36).toUpperCase(java.util.Locale.ROOT);
  }

  /** Declares a user group and its members (for {@code usergroups.users.list}). */
  public void userGroup(String id, String... users) {
    userGroups.put(id, List.of(users));
  }

  private void connected(io.vertx.core.http.ServerWebSocket webSocket) {
    if (!webSocket.path().startsWith("/link")) {
      webSocket.close((short) 1008, "unknown path");
      return;
    }
    socket = webSocket;
    connections.incrementAndGet();
    webSocket.textMessageHandler(text -> {
      try {
        String id = new JsonObject(text).getString("envelope_id");
        if (id != null && !losingAcks && unacked.remove(id) != null) {
          acknowledged.add(id);
        }
      } catch (RuntimeException e) {
        // Slack ignores what it cannot read
      }
    });
    webSocket.closeHandler(v -> {
      if (socket == webSocket) {
        socket = null;
      }
    });
    webSocket.writeTextMessage(new JsonObject().put("type", "hello").put("num_connections", 1)
        .put("debug_info", new JsonObject().put("host", "local-slack").put("build_number", 1)
            .put("approximate_connection_time", 18060))
        .put("connection_info", new JsonObject().put("app_id", "A0LOCAL")).encode());
    List<JsonObject> again;
    synchronized (unacked) {
      again = new ArrayList<>(unacked.values());
    }
    for (JsonObject envelope : again) {
      envelope.put("retry_attempt", envelope.getInteger("retry_attempt") + 1).put("retry_reason", "timeout");
      webSocket.writeTextMessage(envelope.encode());
    }
  }

  /**
   * A person clicks a button of a message: a {@code block_actions} payload as Slack sends it, in an
   * {@code interactive} envelope on the open connection (or on the next one, if none is open). Returns the envelope
   * id.
   */
  public String click(String userId, String userName, Message message, String actionId, String value) {
    String envelopeId = java.util.UUID.randomUUID().toString();
    String actionTs = String.format("%d.%06d", nextTs.get() / 1_000_000, nextTs.getAndIncrement() % 1_000_000);
    JsonObject payload = new JsonObject()
        .put("type", "block_actions")
        .put("user", new JsonObject().put("id", userId).put("username", userName).put("name", userName)
            .put("team_id", "T0LOCAL"))
        .put("api_app_id", "A0LOCAL")
        .put("token", "verification-token-unused-in-socket-mode")
        .put("container", new JsonObject().put("type", "message").put("message_ts", message.ts)
            .put("channel_id", message.channel).put("is_ephemeral", false))
        .put("trigger_id", "1.2.3")
        .put("team", new JsonObject().put("id", "T0LOCAL").put("domain", "local"))
        .put("channel", new JsonObject().put("id", message.channel).put("name", "oncall"))
        .put("message", new JsonObject().put("type", "message").put("ts", message.ts).put("text", message.text)
            .put("blocks", message.blocks))
        .put("response_url", "https://hooks.slack.com/actions/T0LOCAL/1/local")
        .put("actions", new JsonArray().add(new JsonObject().put("action_id", actionId).put("block_id", "chainwatch")
            .put("text", new JsonObject().put("type", "plain_text").put("text", actionId)).put("value", value)
            .put("type", "button").put("action_ts", actionTs)));
    JsonObject envelope = new JsonObject().put("envelope_id", envelopeId).put("type", "interactive")
        .put("accepts_response_payload", false).put("retry_attempt", 0).put("retry_reason", "")
        .put("payload", payload);
    vertx.runOnContext(v -> {
      unacked.put(envelopeId, envelope);
      io.vertx.core.http.ServerWebSocket open = socket;
      if (open != null && !open.isClosed()) {
        open.writeTextMessage(envelope.encode());
      }
    });
    return envelopeId;
  }

  /** Slack's {@code disconnect} with reason {@code refresh_requested}, then the connection closes. */
  public void refreshConnection() {
    vertx.runOnContext(v -> {
      io.vertx.core.http.ServerWebSocket open = socket;
      if (open != null) {
        socket = null;
        open.writeTextMessage(new JsonObject().put("type", "disconnect").put("reason", "refresh_requested")
            .put("debug_info", new JsonObject().put("host", "local-slack")).encode());
        vertx.setTimer(100, id -> open.close());
      }
    });
  }

  /** The connection is lost without a word (a network fault). */
  public void dropConnection() {
    vertx.runOnContext(v -> {
      io.vertx.core.http.ServerWebSocket open = socket;
      socket = null;
      if (open != null) {
        open.close();
      }
    });
  }

  /** While true, acknowledgements are lost on the way (the envelopes are delivered again on the next connection). */
  public void loseAcks(boolean lose) {
    losingAcks = lose;
  }

  /** Envelope ids chainwatch acknowledged, in order. */
  public List<String> acknowledgedEnvelopes() {
    return List.copyOf(acknowledged);
  }

  /** How many Socket Mode connections were opened. */
  public long connections() {
    return connections.get();
  }

  /** Whether a Socket Mode connection is open now. */
  public boolean connected() {
    io.vertx.core.http.ServerWebSocket open = socket;
    return open != null && !open.isClosed();
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

package io.chainwatch.notifier.slack;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.socket_mode.SocketModeClient;
import com.slack.api.socket_mode.request.InteractiveEnvelope;
import com.slack.api.socket_mode.response.AckResponse;
import io.chainwatch.model.PersonAction;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The buttons' other end: a Socket Mode connection (no inbound HTTP) on which Slack delivers clicks. Each click is
 * read, checked against the allowed user group (asked of Slack, cached for {@link #MEMBERS_TTL}), handed on as a
 * {@link PersonAction} (refused ones too, marked, for the audit log; the person is told why in a message only they
 * see), and only then acknowledged: a click Slack delivers again after a lost connection is the same click (same
 * id), acted on once. The connection is open only while this replica leads (only the leader acts); the SDK
 * reconnects by itself after Slack's refresh or a lost connection.
 */
public final class SlackActions implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SlackActions.class);
  static final Duration MEMBERS_TTL = Duration.ofMinutes(1);
  private static final int MAX_SEEN = 10_000;
  private static final int MAX_PAYLOAD_CHARS = 512 * 1024;
  /**
   * An acknowledgement that fails (the SDK still holds the connection it is replacing: a click delivered at once on a
   * new connection) is sent again this often, this many times in all: within Slack's 3 seconds.
   */
  static final Duration ACK_RETRY = Duration.ofMillis(400);
  static final int ACK_ATTEMPTS = 6;
  /** The buttons' action ids; the value carries the incident id (and the approval id). */
  public static final String ACKNOWLEDGE = "chainwatch.acknowledge";
  public static final String SILENCE_PREFIX = "chainwatch.silence.";
  public static final String APPROVE = "chainwatch.approve";
  public static final String REJECT = "chainwatch.reject";
  static final Set<Integer> SILENCE_HOURS = Set.of(1, 4, 24);

  private final String apiUrl;
  private final String appTokenFile;
  private final String botTokenFile;
  private final String group;
  private final Consumer<PersonAction> sink;
  private final BooleanSupplier leading;
  private final Clock clock;
  private final Map<String, Boolean> seen = new LinkedHashMap<>();
  private volatile List<String> members;
  private volatile Instant membersAt = Instant.MIN;
  private MethodsClient methods;
  private Slack slack;
  private String appToken;
  private SocketModeClient client;
  private Thread monitor;
  private volatile boolean running;
  private volatile long clicks;
  private volatile long refused;
  private final java.util.concurrent.ScheduledExecutorService ackRetries =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "chainwatch-slack-acks");
        thread.setDaemon(true);
        return thread;
      });

  /**
   * @param group the user group whose members may act
   * @param sink where clicks go (the event bus); called on the SDK's thread
   * @param leading whether this replica leads now (the connection follows it)
   */
  public SlackActions(String apiUrl, String appTokenFile, String botTokenFile, String group,
      Consumer<PersonAction> sink, BooleanSupplier leading, Clock clock) {
    this.apiUrl = Objects.requireNonNull(apiUrl, "apiUrl");
    this.appTokenFile = Objects.requireNonNull(appTokenFile, "appTokenFile");
    this.botTokenFile = Objects.requireNonNull(botTokenFile, "botTokenFile");
    this.group = Objects.requireNonNull(group, "group");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.leading = Objects.requireNonNull(leading, "leading");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Reads the tokens and starts following leadership: connected while leading.
   *
   * @throws io.chainwatch.config.ConfigException when a token file cannot be read, naming the setting
   */
  public void start() {
    appToken = io.chainwatch.notifier.SecretFiles.read(appTokenFile, "slack.appTokenFile");
    if (!appToken.startsWith("xapp-")) {
      throw new io.chainwatch.config.ConfigException(List.of("slack.appTokenFile must hold an app-level token "
          + "(xapp-..., scope connections:write), not a bot or user token"));
    }
    String botToken = io.chainwatch.notifier.SecretFiles.read(botTokenFile, "slack.tokenFile");
    SlackConfig config = new SlackConfig();
    config.setMethodsEndpointUrlPrefix(apiUrl);
    config.setStatsEnabled(false);
    config.setHttpClientCallTimeoutMillis(5_000);
    config.setHttpClientReadTimeoutMillis(5_000);
    slack = Slack.getInstance(config);
    methods = slack.methods(botToken);
    running = true;
    monitor = new Thread(this::followLeadership, "chainwatch-slack-actions");
    monitor.setDaemon(true);
    monitor.start();
  }

  private void followLeadership() {
    while (running) {
      try {
        boolean lead = leading.getAsBoolean();
        if (lead && client == null) {
          connect();
        } else if (!lead && client != null) {
          LOG.info("Not leading: Slack actions disconnected (the leader receives clicks)");
          disconnect();
        }
      } catch (Exception e) {
        LOG.warn("Slack Socket Mode connection failed ({}); trying again", e.toString());
        disconnect();
      }
      try {
        Thread.sleep(1_000);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void connect() throws java.io.IOException {
    SocketModeClient opened = slack.socketMode(appToken, SocketModeClient.Backend.Tyrus);
    opened.setAutoReconnectEnabled(true);
    opened.addInteractiveEnvelopeListener(envelope -> handle(opened, envelope));
    opened.connect();
    client = opened;
    LOG.info("Slack actions connected (Socket Mode)");
  }

  private void disconnect() {
    SocketModeClient open = client;
    client = null;
    if (open != null) {
      try {
        open.close();
      } catch (Exception e) {
        LOG.debug("Socket Mode close: {}", e.toString());
      }
    }
  }

  /** Whether a connection is open (for readiness and tests). */
  public boolean connected() {
    SocketModeClient open = client;
    return open != null && open.verifyConnection();
  }

  private void handle(SocketModeClient on, InteractiveEnvelope envelope) {
    try {
      String text = envelope.getPayload() == null ? "" : envelope.getPayload().toString();
      if (text.length() > MAX_PAYLOAD_CHARS) {
        LOG.warn("Slack interactive payload of {} characters ignored (limit {})", text.length(), MAX_PAYLOAD_CHARS);
      } else {
        parse(new JsonObject(text)).ifPresent(this::dispatch);
      }
    } catch (RuntimeException e) {
      LOG.warn("Slack click not understood ({}); acknowledged and ignored", e.toString());
    }
    acknowledge(on, envelope.getEnvelopeId(), 1);
  }

  /**
   * Acknowledges an envelope; a failed attempt is tried again after {@link #ACK_RETRY}, up to {@link #ACK_ATTEMPTS}.
   * A click whose acknowledgement never arrives is delivered again by Slack and handed on once (its click id).
   */
  void acknowledge(SocketModeClient on, String envelopeId, int attempt) {
    try {
      on.sendSocketModeResponse(new AckResponse(envelopeId));
    } catch (RuntimeException e) {
      if (attempt >= ACK_ATTEMPTS || ackRetries.isShutdown()) {
        LOG.warn("Slack click {} not acknowledged after {} attempts ({}); Slack delivers it again", envelopeId,
            attempt, e.toString());
        return;
      }
      try {
        ackRetries.schedule(() -> acknowledge(on, envelopeId, attempt + 1), ACK_RETRY.toMillis(),
            java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        LOG.debug("Slack click {} not acknowledged: closing", envelopeId);
      }
    }
  }

  /** A click's button, parsed; empty for what is not a chainwatch button. */
  Optional<Click> parse(JsonObject payload) {
    if (!"block_actions".equals(payload.getString("type"))) {
      return Optional.empty();
    }
    JsonObject user = payload.getJsonObject("user", new JsonObject());
    JsonArray actions = payload.getJsonArray("actions", new JsonArray());
    JsonObject channel = payload.getJsonObject("channel", new JsonObject());
    if (actions.isEmpty() || user.getString("id") == null) {
      return Optional.empty();
    }
    JsonObject action = actions.getJsonObject(0);
    String actionId = String.valueOf(action.getString("action_id"));
    String value = String.valueOf(action.getString("value"));
    PersonAction.Kind kind;
    int hours = 0;
    String incident = value;
    String approval = null;
    if (actionId.equals(ACKNOWLEDGE)) {
      kind = PersonAction.Kind.ACKNOWLEDGE;
    } else if (actionId.startsWith(SILENCE_PREFIX)) {
      kind = PersonAction.Kind.SILENCE;
      try {
        hours = Integer.parseInt(actionId.substring(SILENCE_PREFIX.length()).replace("h", ""));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
      if (!SILENCE_HOURS.contains(hours)) {
        return Optional.empty();
      }
    } else if (actionId.equals(APPROVE) || actionId.equals(REJECT)) {
      kind = actionId.equals(APPROVE) ? PersonAction.Kind.APPROVE : PersonAction.Kind.REJECT;
      int bar = value.indexOf('|');
      if (bar < 0) {
        return Optional.empty();
      }
      approval = value.substring(0, bar);
      incident = value.substring(bar + 1);
    } else {
      return Optional.empty();
    }
    if (incident.isBlank() || incident.length() > 200) {
      return Optional.empty();
    }
    // the same click delivered again (a lost acknowledgement) has the same user, action and action_ts
    String clickId = user.getString("id") + ":" + actionId + ":" + action.getString("action_ts", value);
    String name = user.getString("username", user.getString("name", user.getString("id")));
    return Optional.of(new Click(clickId, kind, incident, approval, hours, user.getString("id"), name,
        channel.getString("id")));
  }

  /** A parsed click. */
  record Click(String id, PersonAction.Kind kind, String incident, String approval, int hours, String user,
      String userName, String channel) {}

  private void dispatch(Click click) {
    synchronized (seen) {
      if (seen.put(click.id(), Boolean.TRUE) != null) {
        LOG.info("Slack click {} delivered again: already handled", click.id());
        return;
      }
      if (seen.size() > MAX_SEEN) {
        seen.remove(seen.keySet().iterator().next());
      }
    }
    clicks++;
    boolean allowed = member(click.user());
    PersonAction action = new PersonAction(click.id(), click.kind(), click.incident(), click.approval(),
        click.hours(), click.user(), click.userName(), allowed, clock.instant());
    sink.accept(action);
    if (!allowed) {
      refused++;
      LOG.warn("Slack user {} ({}) clicked {} on incident {} but is not in the group {}: nothing done",
          click.user(), click.userName(), click.kind().wireName(), click.incident(), group);
      tellOnly(click, "Only members of <!subteam^" + group + "> may " + click.kind().wireName()
          + " chainwatch incidents: nothing was done.");
    }
  }

  /**
   * Whether the user is in the group now: asked of Slack at most once a minute; when Slack cannot answer, the last
   * known members count for five minutes more, then nobody does.
   */
  private boolean member(String user) {
    Instant now = clock.instant();
    if (members == null || !now.isBefore(membersAt.plus(MEMBERS_TTL))) {
      try {
        var answer = methods.usergroupsUsersList(r -> r.usergroup(group));
        if (answer.isOk()) {
          members = List.copyOf(answer.getUsers());
          membersAt = now;
          return members.contains(user);
        }
        LOG.warn("Slack usergroups.users.list for {} answered {} (check slack.actionsGroup and the usergroups:read "
            + "scope)", group, answer.getError());
      } catch (Exception e) {
        LOG.warn("Slack usergroups.users.list failed ({})", e.toString());
      }
      return members != null && members.contains(user) && now.isBefore(membersAt.plus(MEMBERS_TTL.multipliedBy(5)));
    }
    return members.contains(user);
  }

  private void tellOnly(Click click, String text) {
    if (click.channel() == null) {
      return;
    }
    try {
      methods.chatPostEphemeral(r -> r.channel(click.channel()).user(click.user()).text(text));
    } catch (Exception e) {
      LOG.debug("Ephemeral message not sent: {}", e.toString());
    }
  }

  /** Clicks received (each once). */
  public long clicks() {
    return clicks;
  }

  /** Clicks by people outside the group. */
  public long refused() {
    return refused;
  }

  @Override
  public void close() {
    running = false;
    ackRetries.shutdownNow();
    if (monitor != null) {
      monitor.interrupt();
      try {
        monitor.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    disconnect();
  }
}

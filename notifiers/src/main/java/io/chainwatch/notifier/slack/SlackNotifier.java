package io.chainwatch.notifier.slack;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import io.chainwatch.config.NotifiersConfig;
import io.chainwatch.model.IncidentChange;
import io.chainwatch.model.IncidentChange.Kind;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts one root message per incident, edits it in place as the incident changes and replies in its thread with what
 * happened. Runs on its own thread, so Slack being slow, rate-limited or down never stalls the caller: {@link
 * #deliver} only queues. A 429 waits exactly the Retry-After it names; 5xx, timeouts and transient {@code ok:false}
 * errors are retried with backoff; configuration errors ({@code channel_not_found}, {@code invalid_auth}, ...) are
 * logged once, clearly, and retried every minute, so pages wait instead of being lost. Root message timestamps are
 * kept in a file, so a restart edits the same messages instead of posting new ones. The token is read from a file and
 * never logged.
 */
public final class SlackNotifier implements AutoCloseable {
  /** Told each call's duration (the watcher's latency histograms); set before the first call. */
  private volatile io.chainwatch.model.CallTimer timer = io.chainwatch.model.CallTimer.NONE;

  /** Reports each call's duration to {@code timer} from now on. */
  public void timeCallsWith(io.chainwatch.model.CallTimer timer) {
    this.timer = java.util.Objects.requireNonNull(timer, "timer");
  }

  private static final Logger LOG = LoggerFactory.getLogger(SlackNotifier.class);
  private static final Set<String> CONFIGURATION_ERRORS = Set.of("channel_not_found", "not_in_channel",
      "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "missing_scope",
      "is_archived", "restricted_action", "no_permission");
  private static final Set<String> TRANSIENT_ERRORS = Set.of("ratelimited", "internal_error", "fatal_error",
      "service_unavailable", "request_timeout", "team_added_to_org");
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
  private static final int QUEUE_BOUND = 10_000;

  /**
   * How the notifier paces and bounds its calls.
   *
   * @param minInterval least time between two calls to the channel (Slack allows about one message per second)
   * @param configurationRetry wait before retrying after a configuration error such as channel_not_found
   * @param httpTimeout bound on one call; a hanging Slack endpoint costs this, then a retry
   */
  public record Timing(Duration minInterval, Duration configurationRetry, Duration httpTimeout) {
    public static final Timing PRODUCTION = new Timing(Duration.ofSeconds(1), Duration.ofSeconds(60),
        Duration.ofSeconds(10));
  }

  private final NotifiersConfig.Slack config;
  private final io.chainwatch.notifier.incident.DetectorTexts texts;
  private final Path threadsFile;
  private final Timing timing;
  private final LinkedBlockingDeque<Queued> queue = new LinkedBlockingDeque<>();
  /**
   * The storm digests waiting in {@link #queue}, by incident id: a newer digest of the same storm replaces the
   * waiting one's content instead of queueing behind it (each digest rewrites the whole message, so only the last
   * matters). Without this a storm of thousands of incidents queued thousands of rewrites of one message, filled the
   * queue and pushed other incidents' pages out of it. Guarded by {@code queue}'s monitor with the drops.
   */
  private final Map<String, Queued> waitingDigests = new HashMap<>();
  /** Each incident's root message: the channel it was posted in (its id, as Slack answered) and its timestamp. */
  private final Map<String, Root> roots = new LinkedHashMap<>();
  private final Set<String> reportedErrors = new HashSet<>();
  private final AtomicLong posted = new AtomicLong();
  private final AtomicLong updated = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final io.chainwatch.notifier.OncePerInterval dropReport =
      new io.chainwatch.notifier.OncePerInterval(java.time.Duration.ofMinutes(1));
  private volatile boolean running;
  private MethodsClient methods;
  private Thread worker;
  private long lastCallNanos;
  /** The buttons an incident's root message carries now (none unless Slack actions are on). */
  private volatile java.util.function.Function<io.chainwatch.model.Incident, String> buttons = incident -> null;

  /**
   * @param threadsFile where root message timestamps are kept across restarts
   */
  public SlackNotifier(NotifiersConfig.Slack config, Path threadsFile, Timing timing,
      io.chainwatch.notifier.incident.DetectorTexts texts) {
    this.texts = Objects.requireNonNull(texts, "texts");
    this.config = Objects.requireNonNull(config, "config");
    this.threadsFile = Objects.requireNonNull(threadsFile, "threadsFile");
    this.timing = Objects.requireNonNull(timing, "timing");
  }

  /**
   * Reads the token and the kept threads and starts the sending thread.
   *
   * @throws io.chainwatch.config.ConfigException when the token file cannot be read or is empty, naming
   *     slack.tokenFile (and never a value that looks like the token itself)
   */
  public void start() {
    String token = io.chainwatch.notifier.SecretFiles.read(config.tokenFile(), "slack.tokenFile");
    SlackConfig slackConfig = new SlackConfig();
    slackConfig.setMethodsEndpointUrlPrefix(config.apiUrl());
    slackConfig.setStatsEnabled(false); // no auth.test round trip, no background metrics threads
    slackConfig.setHttpClientCallTimeoutMillis((int) timing.httpTimeout().toMillis());
    slackConfig.setHttpClientReadTimeoutMillis((int) timing.httpTimeout().toMillis());
    methods = Slack.getInstance(slackConfig).methods(token);
    loadThreads();
    running = true;
    worker = new Thread(this::work, "chainwatch-slack");
    worker.setDaemon(true);
    worker.start();
  }

  /** A change waiting for Slack; a waiting storm digest's change is replaced by a newer digest of the same storm. */
  private static final class Queued {
    private volatile IncidentChange change;
    private final String channel;

    Queued(IncidentChange change, String channel) {
      this.change = change;
      this.channel = channel;
    }

    String id() {
      return change.incident().id();
    }
  }

  private record Root(String channel, String ts) {}

  /** Queues a change for the default channel. */
  public void deliver(IncidentChange change) {
    deliver(change, config.channel());
  }

  /**
   * Queues a change. Never blocks; changes that should not reach a person are ignored. An incident with a root
   * message continues in its thread, wherever routing would send it now; a new one is posted to {@code channel}
   * ({@code null}: the incident is not routed to Slack, nothing is posted).
   */
  public void deliver(IncidentChange change, String channel) {
    if (!change.pages()) {
      return;
    }
    synchronized (queue) {
      if (change.kind() == Kind.DIGEST) {
        Queued waiting = waitingDigests.get(change.incident().id());
        if (waiting != null) {
          waiting.change = change; // its place in the queue, the newest content
          return;
        }
      }
      if (queue.size() >= QUEUE_BOUND) {
        Queued oldest = queue.pollFirst();
        if (oldest != null) {
          waitingDigests.remove(oldest.id(), oldest);
        }
        long total = dropped.incrementAndGet();
        long unsaid = dropReport.occurred(System.nanoTime());
        if (unsaid > 0) {
          LOG.error("Slack queue full ({} changes): the oldest was dropped ({} since this was last said, {} in all; "
              + "said at most once a minute)", QUEUE_BOUND, unsaid, total);
        }
      }
      Queued queued = new Queued(change, channel);
      if (change.kind() == Kind.DIGEST) {
        waitingDigests.put(queued.id(), queued);
      }
      queue.add(queued);
    }
  }

  /** The change a taken entry carries now: a digest stops taking newer content once it is taken. */
  private IncidentChange taken(Queued queued) {
    synchronized (queue) {
      waitingDigests.remove(queued.id(), queued);
      return queued.change;
    }
  }

  private void work() {
    while (running) {
      Queued next;
      try {
        next = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (next != null) {
        process(taken(next), next.channel);
      }
    }
  }

  private void process(IncidentChange change, String routedChannel) {
    String id = change.incident().id();
    Root existing = roots.get(id);
    String channel = existing != null ? existing.channel() : routedChannel;
    if (channel == null) {
      return; // routed away from Slack and never posted here
    }
    if (change.kind() == Kind.DIGEST) {
      SlackMessageFormatter.SlackMessage digest = SlackMessageFormatter.digest(change.incident(), change.digest());
      upsertRoot(id, channel, digest);
      return;
    }
    // a later change of the same incident queued behind this one will edit the root anyway: skip this edit
    boolean newer = queue.stream().anyMatch(later -> later.id().equals(id));
    if (existing == null || !newer) {
      upsertRoot(id, channel, SlackMessageFormatter.root(change.incident(),
          texts.runbook(change.incident().detectorId()), buttons.apply(change.incident())));
    }
    Root root = roots.get(id);
    if (change.kind() != Kind.OPENED && change.kind() != Kind.UPDATED && root != null) {
      String text = SlackMessageFormatter.reply(change, config.oncallGroup());
      call("chat.postMessage", () -> methods.chatPostMessage(r -> r.channel(root.channel()).threadTs(root.ts())
          .text(text).unfurlLinks(false)));
      posted.incrementAndGet();
    }
  }

  private void upsertRoot(String incidentId, String channel, SlackMessageFormatter.SlackMessage message) {
    Root root = roots.get(incidentId);
    if (root != null) {
      SlackApiTextResponse answer = call("chat.update", () -> methods.chatUpdate(r -> r.channel(root.channel())
          .ts(root.ts()).text(message.text()).blocksAsString(message.blocks())));
      if (answer != null && answer.isOk()) {
        updated.incrementAndGet();
        return;
      }
      LOG.info("Root message of incident {} is gone from Slack; posting a new one", incidentId);
    }
    var answer = (com.slack.api.methods.response.chat.ChatPostMessageResponse) call("chat.postMessage",
        () -> methods.chatPostMessage(r -> r.channel(channel).text(message.text())
            .blocksAsString(message.blocks()).unfurlLinks(false)));
    if (answer != null && answer.isOk()) {
      posted.incrementAndGet();
      // chat.update wants the channel's id: a name such as #oncall is answered with the id
      roots.put(incidentId, new Root(answer.getChannel() != null ? answer.getChannel() : channel, answer.getTs()));
      saveThreads();
    }
  }

  @FunctionalInterface
  private interface SlackCall {
    SlackApiTextResponse run() throws IOException, SlackApiException;
  }

  /**
   * Makes one call until Slack takes it. Returns the answer, or {@code null} for an answer that cannot succeed by
   * retrying ({@code message_not_found} on an edit, an unknown error) or when stopping.
   */
  private SlackApiTextResponse call(String method, SlackCall call) {
    long backoffMillis = 1_000;
    while (running) {
      pace();
      long started = System.nanoTime();
      try {
        SlackApiTextResponse answer = call.run();
        timer.record("slack", method, answer.isOk() ? "ok" : "error", System.nanoTime() - started);
        if (answer.isOk()) {
          return answer;
        }
        String error = answer.getError();
        if (TRANSIENT_ERRORS.contains(error)) {
          LOG.warn("Slack {} answered {}; retrying in {} ms", method, error, backoffMillis);
        } else if (CONFIGURATION_ERRORS.contains(error)) {
          if (reportedErrors.add(error)) {
            LOG.error("Slack {} refused with {}: check slack.channel ({}) and the bot token's scopes and channel "
                + "membership; pages wait and are retried every minute", method, error, config.channel());
          }
          retries.incrementAndGet();
          sleep(timing.configurationRetry().toMillis());
          continue;
        } else {
          LOG.warn("Slack {} answered {}; not retried", method, error);
          return answer;
        }
      } catch (SlackApiException e) {
        timer.record("slack", method, "error", System.nanoTime() - started);
        int status = e.getResponse().code();
        if (status == 429) {
          long waitMillis = retryAfterMillis(e.getResponse().header("Retry-After"));
          LOG.warn("Slack rate-limited {}; waiting the {} ms it asked for", method, waitMillis);
          retries.incrementAndGet();
          sleep(waitMillis);
          continue;
        }
        LOG.warn("Slack {} failed with HTTP {}; retrying in {} ms", method, status, backoffMillis);
      } catch (IOException | RuntimeException e) {
        timer.record("slack", method, "error", System.nanoTime() - started);
        LOG.warn("Slack {} failed ({}); retrying in {} ms", method, e.getClass().getSimpleName(), backoffMillis);
      }
      retries.incrementAndGet();
      sleep(backoffMillis);
      backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
    }
    return null;
  }

  static long retryAfterMillis(String header) {
    try {
      return Math.max(1, Long.parseLong(header == null ? "1" : header.trim())) * 1000;
    } catch (NumberFormatException e) {
      return 1000;
    }
  }

  private void pace() {
    long wait = lastCallNanos + timing.minInterval().toNanos() - System.nanoTime();
    if (wait > 0) {
      sleep(TimeUnit.NANOSECONDS.toMillis(wait) + 1);
    }
    lastCallNanos = System.nanoTime();
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private void loadThreads() {
    if (!Files.exists(threadsFile)) {
      return;
    }
    try {
      JsonObject saved = new JsonObject(Files.readString(threadsFile));
      saved.forEach(entry -> {
        if (entry.getValue() instanceof JsonObject root) {
          roots.put(entry.getKey(), new Root(root.getString("channel"), root.getString("ts")));
        } else {
          roots.put(entry.getKey(), new Root(config.channel(), String.valueOf(entry.getValue()))); // older runs
        }
      });
    } catch (IOException | DecodeException e) {
      LOG.warn("Slack threads file {} unreadable ({}); incidents open now get new root messages", threadsFile,
          e.getMessage());
    }
  }

  private void saveThreads() {
    while (roots.size() > 5_000) {
      Iterator<String> oldest = roots.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    try {
      Files.createDirectories(threadsFile.getParent());
      Path tmp = threadsFile.resolveSibling(threadsFile.getFileName() + ".tmp");
      JsonObject saved = new JsonObject();
      roots.forEach((id, root) -> saved.put(id, new JsonObject().put("channel", root.channel()).put("ts", root.ts())));
      Files.writeString(tmp, saved.encode());
      Files.move(tmp, threadsFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.warn("Slack threads not saved to {}: {}", threadsFile, e.getMessage());
    }
  }

  /**
   * Where root messages get their buttons: the actions block (JSON) for an incident as it stands, {@code null} for
   * none. Set before {@link #start}.
   */
  public void buttons(java.util.function.Function<io.chainwatch.model.Incident, String> buttons) {
    this.buttons = Objects.requireNonNull(buttons, "buttons");
  }

  /** Changes waiting for Slack. */
  public int pending() {
    return queue.size();
  }

  public long posted() {
    return posted.get();
  }

  public long updated() {
    return updated.get();
  }

  public long retries() {
    return retries.get();
  }

  /** Changes dropped because the queue was full. Goal: 0. */
  public long dropped() {
    return dropped.get();
  }

  /** Waits up to {@code grace} for the queue to drain, then stops. */
  public void close(Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    while (!queue.isEmpty() && System.nanoTime() < deadline) {
      sleep(20);
    }
    running = false;
    if (worker != null) {
      worker.interrupt();
      try {
        worker.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }
}

package io.chainwatch.notifier.pagerduty;

import io.chainwatch.model.IncidentChange;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends incidents to PagerDuty's Events API v2 ({@link PagerDutyEvents}), one alert per incident ({@code dedup_key}
 * = incident id). Events wait in an outbox that is saved to disk on every change, so nothing is lost across a restart
 * or a PagerDuty outage; one sender thread sends them in order: 202 removes an event, 429 waits for Retry-After (or
 * backs off), 5xx and network errors back off (doubling up to {@link Timing#maxBackoff}), 400 drops the event (counted,
 * PagerDuty's errors logged). The routing key is read from its file at each send, never saved or logged.
 */
public final class PagerDutyNotifier implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PagerDutyNotifier.class);
  /** Events kept at most; beyond, new ones are dropped (counted): an outage of days at incident rates. */
  static final int MAX_PENDING = 10_000;
  /** Incidents whose alert is open, kept at most (the oldest forgotten first: their resolve is then not sent). */
  static final int MAX_ALERTED = 10_000;

  /** How the sender waits. */
  public record Timing(Duration initialBackoff, Duration maxBackoff, Duration requestTimeout) {
    public static final Timing PRODUCTION = new Timing(Duration.ofSeconds(1), Duration.ofMinutes(5),
        Duration.ofSeconds(10));
  }

  private final URI enqueueUrl;
  private final Path routingKeyFile;
  private final Path stateFile;
  private final Timing timing;
  private final HttpClient http;
  private final Object lock = new Object();
  private final Deque<JsonObject> pending = new ArrayDeque<>();
  private final Set<String> alerted = new LinkedHashSet<>();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private volatile boolean running;
  private Thread sender;
  private String lastProblem;

  /**
   * @param stateFile where the outbox and the open alerts are saved
   */
  public PagerDutyNotifier(URI enqueueUrl, Path routingKeyFile, Path stateFile, Timing timing) {
    this.enqueueUrl = Objects.requireNonNull(enqueueUrl, "enqueueUrl");
    this.routingKeyFile = Objects.requireNonNull(routingKeyFile, "routingKeyFile");
    this.stateFile = Objects.requireNonNull(stateFile, "stateFile");
    this.timing = Objects.requireNonNull(timing, "timing");
    this.http = HttpClient.newBuilder().connectTimeout(timing.requestTimeout()).build();
  }

  /** Loads what a previous run left and starts sending. */
  public void start() throws IOException {
    if (Files.exists(stateFile)) {
      try {
        JsonObject saved = new JsonObject(Files.readString(stateFile));
        synchronized (lock) {
          saved.getJsonArray("pending", new JsonArray()).forEach(event -> pending.add((JsonObject) event));
          saved.getJsonArray("alerted", new JsonArray()).forEach(id -> alerted.add((String) id));
        }
        if (!pending.isEmpty()) {
          LOG.info("PagerDuty: {} event(s) left by the previous run will be sent", pending.size());
        }
      } catch (RuntimeException e) {
        // a state file that does not parse is kept aside, not silently overwritten
        Path aside = stateFile.resolveSibling(stateFile.getFileName() + ".unreadable");
        Files.move(stateFile, aside, StandardCopyOption.REPLACE_EXISTING);
        LOG.warn("PagerDuty state {} did not parse ({}); moved to {}", stateFile, e.getMessage(), aside);
      }
    }
    running = true;
    sender = new Thread(this::sendLoop, "chainwatch-pagerduty");
    sender.setDaemon(true);
    sender.start();
  }

  /** Queues what {@code change} sends to PagerDuty, if anything. Never blocks on the network. */
  public void deliver(IncidentChange change) {
    synchronized (lock) {
      String id = change.incident().id();
      var event = PagerDutyEvents.eventFor(change, alerted.contains(id));
      if (event.isEmpty()) {
        return;
      }
      if (pending.size() >= MAX_PENDING) {
        dropped.incrementAndGet();
        return;
      }
      if (event.get().getString("event_action").equals("resolve")) {
        alerted.remove(id);
      } else {
        alerted.add(id);
        if (alerted.size() > MAX_ALERTED) {
          alerted.remove(alerted.iterator().next());
        }
      }
      pending.add(event.get());
      save();
      lock.notifyAll();
    }
  }

  public long sent() {
    return sent.get();
  }

  public long retries() {
    return retries.get();
  }

  /** Events dropped because the outbox was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Events PagerDuty refused for good (400). */
  public long refused() {
    return refused.get();
  }

  public int pending() {
    synchronized (lock) {
      return pending.size();
    }
  }

  private void save() {
    JsonObject state = new JsonObject().put("pending", new JsonArray(new java.util.ArrayList<>(pending)))
        .put("alerted", new JsonArray(new java.util.ArrayList<>(alerted)));
    try {
      Files.createDirectories(stateFile.toAbsolutePath().getParent());
      Path temp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
      Files.writeString(temp, state.encode(), StandardCharsets.UTF_8);
      Files.move(temp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.warn("PagerDuty outbox not saved to {}: {} (events are still sent from memory)", stateFile, e.getMessage());
    }
  }

  private void sendLoop() {
    Duration backoff = timing.initialBackoff();
    while (running) {
      JsonObject head;
      synchronized (lock) {
        while (running && pending.isEmpty()) {
          try {
            lock.wait(1000);
          } catch (InterruptedException e) {
            return;
          }
        }
        if (!running) {
          return;
        }
        head = pending.peekFirst();
      }
      Duration wait = send(head, backoff);
      if (wait == null) {
        synchronized (lock) {
          if (pending.peekFirst() == head) {
            pending.pollFirst();
            save();
          }
        }
        backoff = timing.initialBackoff();
        continue;
      }
      retries.incrementAndGet();
      backoff = min(backoff.multipliedBy(2), timing.maxBackoff());
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Sends one event: {@code null} when it is done with (sent, or refused for good), else how long to wait. */
  private Duration send(JsonObject event, Duration backoff) {
    String routingKey;
    try {
      routingKey = Files.readString(routingKeyFile, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      problem("cannot read the routing key file " + routingKeyFile + ": " + e.getMessage());
      return backoff;
    }
    String body = event.copy().put("routing_key", routingKey).encode();
    HttpResponse<String> response;
    try {
      response = http.send(HttpRequest.newBuilder(enqueueUrl).timeout(timing.requestTimeout())
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      problem("PagerDuty unreachable at " + enqueueUrl + ": " + e);
      return backoff;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return backoff;
    }
    int status = response.statusCode();
    if (status == 202 || status == 200) {
      sent.incrementAndGet();
      lastProblem = null;
      return null;
    }
    if (status == 400) {
      refused.incrementAndGet();
      LOG.warn("PagerDuty refused the {} event of incident {}: {}", event.getString("event_action"),
          event.getString("dedup_key"), abbreviate(response.body()));
      return null;
    }
    if (status == 429) {
      Duration retryAfter = response.headers().firstValue("Retry-After").flatMap(PagerDutyNotifier::seconds)
          .orElse(backoff);
      problem("PagerDuty rate-limits chainwatch (429); retrying in " + retryAfter);
      return retryAfter;
    }
    problem("PagerDuty answered HTTP " + status + ": " + abbreviate(response.body()) + "; retrying");
    return backoff;
  }

  private void problem(String text) {
    if (!text.equals(lastProblem)) {
      LOG.warn(text);
      lastProblem = text;
    }
  }

  private static java.util.Optional<Duration> seconds(String header) {
    try {
      long value = Long.parseLong(header.trim());
      return value < 0 ? java.util.Optional.empty() : java.util.Optional.of(Duration.ofSeconds(Math.min(value, 3600)));
    } catch (NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String abbreviate(String text) {
    String line = text == null ? "" : text.replaceAll("\\s+", " ").trim();
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }

  @Override
  public void close() {
    running = false;
    synchronized (lock) {
      lock.notifyAll();
    }
    if (sender != null) {
      sender.interrupt();
      try {
        sender.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

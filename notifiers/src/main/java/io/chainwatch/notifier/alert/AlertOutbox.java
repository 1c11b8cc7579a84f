package io.chainwatch.notifier.alert;

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
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery discipline the pagers share. Calls wait in an outbox saved to disk by the sender thread whenever it
 * changed (before each send, and at close), so nothing is lost across a restart or an outage (a crash of the machine
 * can lose what was queued in the last moment); one sender thread sends them in order: 2xx removes a call, 429 waits for Retry-After
 * (or backs off), 5xx and network errors back off (doubling up to {@link Timing#maxBackoff}), a refused key (401,
 * 403, PagerDuty's 400 naming the routing key) makes calls wait at the slowest pace until a person fixes it, other 4xx
 * drop the call (counted, the API's answer logged). The outbox also keeps which incidents have an open alert, so that a restart
 * still resolves them. The secret is read from its file at each send, never saved or logged.
 */
public final class AlertOutbox implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AlertOutbox.class);
  /** Calls kept at most; beyond, new ones are dropped (counted): an outage of days at incident rates. */
  public static final int MAX_PENDING = 10_000;
  /** Incidents whose alert is open, kept at most (the oldest forgotten first: their resolve is then not sent). */
  public static final int MAX_ALERTED = 10_000;

  /** Puts the key where the API wants it: a header, or a field of the body (which is a copy). */
  @FunctionalInterface
  public interface Authentication {
    void apply(HttpRequest.Builder request, JsonObject body, String secret);
  }

  /** How the sender waits. */
  public record Timing(Duration initialBackoff, Duration maxBackoff, Duration requestTimeout) {
    public static final Timing PRODUCTION = new Timing(Duration.ofSeconds(1), Duration.ofMinutes(5),
        Duration.ofSeconds(10));
  }

  private final String pager;
  private final URI baseUrl;
  private final Path secretFile;
  private final Path stateFile;
  private final Timing timing;
  private final Authentication authenticate;
  private final HttpClient http;
  private final Object lock = new Object();
  /** Told each call's duration (the watcher's latency histograms). */
  private volatile io.chainwatch.model.CallTimer timer = io.chainwatch.model.CallTimer.NONE;
  private final Deque<AlertCall> pending = new ArrayDeque<>();
  /** Incidents whose alert is open, with the key file it was opened with ("" for the default): later calls follow. */
  private final java.util.Map<String, String> alerted = new java.util.LinkedHashMap<>();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private volatile boolean running;
  /** The outbox changed since it was last saved. */
  private boolean dirty;
  private Thread sender;
  private String lastProblem;

  /**
   * @param pager its name in logs
   * @param baseUrl the API's base URL; each call's path is appended
   * @param secretFile the key's file, read at each send
   * @param authenticate adds the key to a request (a header, or the body's routing key for PagerDuty)
   * @param stateFile where the outbox and the open alerts are saved
   */
  public AlertOutbox(String pager, URI baseUrl, Path secretFile, Path stateFile, Timing timing,
      Authentication authenticate) {
    this.pager = Objects.requireNonNull(pager, "pager");
    this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
    this.secretFile = Objects.requireNonNull(secretFile, "secretFile");
    this.stateFile = Objects.requireNonNull(stateFile, "stateFile");
    this.timing = Objects.requireNonNull(timing, "timing");
    this.authenticate = Objects.requireNonNull(authenticate, "authenticate");
    this.http = HttpClient.newBuilder().connectTimeout(timing.requestTimeout()).build();
  }

  /** Loads what a previous run left and starts sending. */
  public void start() throws IOException {
    if (Files.exists(stateFile)) {
      try {
        JsonObject saved = new JsonObject(Files.readString(stateFile));
        synchronized (lock) {
          saved.getJsonArray("pending", new JsonArray()).forEach(call ->
              pending.add(AlertCall.fromJson((JsonObject) call)));
          saved.getJsonArray("alerted", new JsonArray()).forEach(id -> alerted.put((String) id, ""));
          saved.getJsonObject("alertedWith", new JsonObject()).forEach(entry ->
              alerted.put(entry.getKey(), String.valueOf(entry.getValue())));
        }
        if (!pending.isEmpty()) {
          LOG.info("{}: {} call(s) left by the previous run will be sent", pager, pending.size());
        }
      } catch (RuntimeException e) {
        // a state file that does not parse is kept aside, not silently overwritten
        Path aside = stateFile.resolveSibling(stateFile.getFileName() + ".unreadable");
        Files.move(stateFile, aside, StandardCopyOption.REPLACE_EXISTING);
        LOG.warn("{} state {} did not parse ({}); moved to {}", pager, stateFile, e.getMessage(), aside);
      }
    }
    running = true;
    sender = new Thread(this::sendLoop, "chainwatch-" + pager.toLowerCase(java.util.Locale.ROOT));
    sender.setDaemon(true);
    sender.start();
  }

  /** Whether the incident's alert is open (triggered and not resolved). */
  public boolean alerted(String incident) {
    synchronized (lock) {
      return alerted.containsKey(incident);
    }
  }

  /**
   * The key file the incident's open alert was created with ({@code ""} for the default key): its later calls use it,
   * wherever routing would send a new alert now (an update or resolve sent with another key would reach another
   * service and never close it). Empty when the alert is not open.
   */
  public java.util.Optional<String> alertedWith(String incident) {
    synchronized (lock) {
      return java.util.Optional.ofNullable(alerted.get(incident));
    }
  }

  /**
   * Queues calls about one incident; {@code opens} marks its alert open, {@code closes} closed. Never blocks on the
   * network.
   */
  public void enqueue(String incident, List<AlertCall> calls, boolean opens, boolean closes) {
    if (calls.isEmpty()) {
      return;
    }
    synchronized (lock) {
      if (pending.size() + calls.size() > MAX_PENDING) {
        dropped.addAndGet(calls.size());
        return;
      }
      if (closes) {
        alerted.remove(incident);
      } else if (opens) {
        String file = calls.get(0).secretFile();
        alerted.put(incident, file == null ? "" : file);
        if (alerted.size() > MAX_ALERTED) {
          alerted.remove(alerted.keySet().iterator().next());
        }
      }
      pending.addAll(calls);
      dirty = true; // saved by the sender thread: the caller (an event loop) never waits on the disk
      lock.notifyAll();
    }
  }

  public long sent() {
    return sent.get();
  }

  public long retries() {
    return retries.get();
  }

  /** Calls dropped because the outbox was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Calls the API refused for good (a 4xx other than 429). */
  public long refused() {
    return refused.get();
  }

  public int pending() {
    synchronized (lock) {
      return pending.size();
    }
  }

  /** Saves the outbox if it changed: on the sender thread, the snapshot taken under the lock, written outside it. */
  private void saveIfDirty() {
    JsonObject state;
    synchronized (lock) {
      if (!dirty) {
        return;
      }
      JsonArray calls = new JsonArray();
      pending.forEach(call -> calls.add(call.toJson()));
      JsonObject alertedWith = new JsonObject();
      alerted.forEach(alertedWith::put);
      state = new JsonObject().put("pending", calls).put("alertedWith", alertedWith);
      dirty = false;
    }
    try {
      Files.createDirectories(stateFile.toAbsolutePath().getParent());
      Path temp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
      Files.writeString(temp, state.encode(), StandardCharsets.UTF_8);
      Files.move(temp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.warn("{} outbox not saved to {}: {} (calls are still sent from memory)", pager, stateFile, e.getMessage());
    }
  }

  private void sendLoop() {
    Duration backoff = timing.initialBackoff();
    while (running) {
      saveIfDirty();
      AlertCall head;
      synchronized (lock) {
        while (running && pending.isEmpty() && !dirty) {
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
      if (head == null) {
        continue; // woken to save
      }
      saveIfDirty();
      Duration wait = send(head, backoff);
      if (wait == null) {
        synchronized (lock) {
          if (pending.peekFirst() == head) {
            pending.pollFirst();
            dirty = true;
          }
        }
        backoff = timing.initialBackoff();
        continue;
      }
      retries.incrementAndGet();
      backoff = backoff.multipliedBy(2).compareTo(timing.maxBackoff()) <= 0 ? backoff.multipliedBy(2)
          : timing.maxBackoff();
      if (!pause(wait)) {
        return;
      }
    }
  }

  /** Waits {@code wait}, saving what is queued meanwhile (an outage's backoff must not leave new calls unsaved). */
  private boolean pause(Duration wait) {
    long until = System.nanoTime() + wait.toNanos();
    while (running) {
      saveIfDirty();
      synchronized (lock) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          return true;
        }
        if (!dirty) {
          try {
            lock.wait(Math.max(1, left / 1_000_000));
          } catch (InterruptedException e) {
            return false;
          }
        }
      }
    }
    return false;
  }

  /** Sends one call: {@code null} when it is done with (sent, or refused for good), else how long to wait. */
  private Duration send(AlertCall call, Duration backoff) {
    String secret;
    Path keyFile = call.secretFile() != null ? Path.of(call.secretFile()) : secretFile;
    try {
      secret = readSecret(keyFile);
    } catch (IOException e) {
      problem("cannot read the key file " + keyFile + ": " + e.getMessage());
      return backoff;
    }
    HttpResponse<String> response;
    String system = pager.toLowerCase(java.util.Locale.ROOT);
    long started = System.nanoTime();
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl.toString() + call.path()))
          .timeout(timing.requestTimeout()).header("Content-Type", "application/json");
      JsonObject body = call.body().copy();
      authenticate.apply(request, body, secret);
      response = http.send(request.method(call.method(), HttpRequest.BodyPublishers.ofString(body.encode())).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      timer.record(system, call.method(), "error", System.nanoTime() - started);
      problem(pager + " unreachable at " + baseUrl + ": " + e);
      return backoff;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return backoff;
    }
    int status = response.statusCode();
    timer.record(system, call.method(), status >= 200 && status < 300 ? "ok" : "error", System.nanoTime() - started);
    if (status >= 200 && status < 300) {
      sent.incrementAndGet();
      lastProblem = null;
      return null;
    }
    if (status == 429) {
      Duration retryAfter = response.headers().firstValue("Retry-After").flatMap(AlertOutbox::seconds)
          .orElse(backoff);
      problem(pager + " rate-limits chainwatch (429); retrying in " + retryAfter);
      return retryAfter;
    }
    if (status == 401 || status == 403 || (status == 400 && keyRefused(response.body()))) {
      // a wrong key is fixed by a person; until then calls wait (pages must not vanish), retried at the slow pace
      problem(pager + " refuses the key in " + keyFile + " (HTTP " + status + "): calls wait until it is fixed");
      return timing.maxBackoff();
    }
    if (status >= 400 && status < 500) {
      refused.incrementAndGet();
      LOG.warn("{} refused {} {} of incident {}: HTTP {} {}", pager, call.method(), call.path(), call.incident(),
          status, abbreviate(response.body()));
      return null;
    }
    problem(pager + " answered HTTP " + status + ": " + abbreviate(response.body()) + "; retrying");
    return backoff;
  }

  /** A key file is a few dozen bytes: a larger one is a mistake (the wrong file mounted), never read whole. */
  private static String readSecret(Path file) throws IOException {
    try (var in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(4097);
      if (bytes.length > 4096) {
        throw new IOException("larger than 4 KiB: not a key");
      }
      String key = new String(bytes, StandardCharsets.UTF_8).trim();
      if (key.isEmpty()) {
        throw new IOException("empty");
      }
      return key;
    }
  }

  /** PagerDuty answers a wrong routing key with 400 and says so in its errors. */
  private static boolean keyRefused(String body) {
    String text = body == null ? "" : body.toLowerCase(java.util.Locale.ROOT);
    return text.contains("routing_key") || text.contains("routing key");
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
    saveIfDirty(); // what was queued last is on disk for the next run
  }

  /** Reports each call's duration to {@code timer} from now on. */
  public void timeCallsWith(io.chainwatch.model.CallTimer timer) {
    this.timer = java.util.Objects.requireNonNull(timer, "timer");
  }
}

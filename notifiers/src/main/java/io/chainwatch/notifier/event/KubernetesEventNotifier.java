package io.chainwatch.notifier.event;

import io.chainwatch.model.BusMessage;
import io.chainwatch.model.Decision;
import io.chainwatch.model.Finding;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.RemediationDecision;
import io.chainwatch.model.RemediationOutcome;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.api.model.events.v1.EventSeriesBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code events.k8s.io/v1} Events on the pod or node a finding, decision or outcome is about, so {@code kubectl
 * describe} shows what chainwatch saw and did. The same reason on the same object becomes one Event whose series
 * count grows, not a flood. Writes run on one background thread with a bounded queue; a full queue drops (counted).
 * Like client-go's event recorder, it spares the API server in a storm: at most {@code maxPerSecond} Events a second
 * (a burst of ten seconds' worth), the rest counted as rate-limited (the audit log on Kafka has every record); and an
 * Event it wrote is updated from what it remembers, without reading it first (one request, not two).
 */
public final class KubernetesEventNotifier implements AutoCloseable {
  /** Told each call's duration (the watcher's latency histograms); set before the first call. */
  private volatile io.chainwatch.model.CallTimer timer = io.chainwatch.model.CallTimer.NONE;

  /** Reports each call's duration to {@code timer} from now on. */
  public void timeCallsWith(io.chainwatch.model.CallTimer timer) {
    this.timer = java.util.Objects.requireNonNull(timer, "timer");
  }

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesEventNotifier.class);
  public static final String CONTROLLER = "chainwatch.io/chainwatch";
  private static final DateTimeFormatter MICRO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
      .withZone(ZoneOffset.UTC);
  private static final int QUEUE_BOUND = 5_000;
  private static final int REMEMBERED = 5_000;

  /**
   * One Event to write.
   *
   * @param regarding the object
   * @param reason UpperCamelCase reason
   * @param type Normal or Warning
   * @param action what chainwatch did: Detect, Evict, Page, Verify
   * @param note one sentence
   * @param at when
   */
  public record EventSpec(ResourceRef regarding, String reason, String type, String action, String note, Instant at) {}

  private final KubernetesClient client;
  private final String instance;
  private final ExecutorService writer;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong rateLimited = new AtomicLong();
  private final java.util.Set<Integer> reportedFailures = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Events this replica wrote, by namespace/name, as last written (the writer thread's only). */
  private final java.util.LinkedHashMap<String, Event> remembered = new java.util.LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(java.util.Map.Entry<String, Event> eldest) {
      return size() > REMEMBERED;
    }
  };
  private final double perNanosecond;
  private final double burst;
  /** Token bucket, touched by the caller (one event loop). */
  private double tokens;
  private long refilledAt = System.nanoTime();

  public KubernetesEventNotifier(KubernetesClient client, String instance) {
    this(client, instance, 10);
  }

  /** @param maxPerSecond Events written per second at most, with a burst of ten seconds' worth */
  public KubernetesEventNotifier(KubernetesClient client, String instance, int maxPerSecond) {
    if (maxPerSecond < 1) {
      throw new IllegalArgumentException("maxPerSecond must be at least 1, got " + maxPerSecond);
    }
    this.perNanosecond = maxPerSecond / 1e9;
    this.burst = maxPerSecond * 10.0;
    this.tokens = burst;
    this.client = Objects.requireNonNull(client, "client");
    this.instance = Objects.requireNonNull(instance, "instance");
    this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(QUEUE_BOUND),
        runnable -> {
          Thread thread = new Thread(runnable, "chainwatch-events");
          thread.setDaemon(true);
          return thread;
        }, (runnable, executor) -> dropped.incrementAndGet());
  }

  /** The Event a bus record warrants, if any (pure). */
  public static Optional<EventSpec> eventFor(BusMessage record) {
    if (record instanceof Finding finding) {
      return Optional.of(new EventSpec(finding.resource(), reasonOf(finding.detectorId()),
          finding.severity() == Severity.INFO ? "Normal" : "Warning", "Detect", finding.summary(),
          finding.observedAt()));
    }
    if (record instanceof RemediationDecision decided && decided.decision() instanceof Decision.Page page) {
      return Optional.of(new EventSpec(decided.finding().resource(), "RemediationBlocked", "Warning", "Page",
          page.why() + " (" + page.rule().wireName() + ")", decided.decidedAt()));
    }
    if (record instanceof RemediationOutcome outcome) {
      String reason = switch (outcome.result()) {
        case EVICTED -> "PodRestarted";
        case WOULD_EVICT -> "PodRestartDryRun";
        case REPAIR_REQUESTED -> "RepairRequested";
        case WOULD_REPAIR -> "RepairDryRun";
        case VERIFIED -> outcome.finding().action() == PlannedAction.REPAIR ? "RepairVerified" : "RestartVerified";
        case NOT_HELPED -> outcome.finding().action() == PlannedAction.REPAIR ? "RepairDidNotHelp"
            : "RestartDidNotHelp";
        case BUDGET_REFUSED -> "RemediationBlocked";
        case FAILED -> "RemediationFailed";
        case GONE, NOT_LEADER -> null;
      };
      return reason == null ? Optional.empty() : Optional.of(new EventSpec(outcome.finding().resource(), reason,
          outcome.needsPerson() || outcome.result() == RemediationOutcome.Result.BUDGET_REFUSED ? "Warning"
              : "Normal", outcome.result() == RemediationOutcome.Result.VERIFIED ? "Verify"
                  : outcome.finding().action() == PlannedAction.REPAIR ? "Repair" : "Evict",
          outcome.detail(), outcome.at()));
    }
    return Optional.empty();
  }

  /** {@code missed-cilium-chain} becomes {@code MissedCiliumChain}. */
  static String reasonOf(String detectorId) {
    StringBuilder reason = new StringBuilder();
    for (String part : detectorId.split("[-_.]")) {
      if (!part.isEmpty()) {
        reason.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    return reason.toString();
  }

  /** Queues the Event for a record, within the rate limit. Never blocks; call from one thread. */
  public void deliver(BusMessage record) {
    eventFor(record).ifPresent(spec -> {
      if (take()) {
        writer.execute(() -> write(spec));
      } else {
        rateLimited.incrementAndGet();
      }
    });
  }

  private boolean take() {
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (now - refilledAt) * perNanosecond);
    refilledAt = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  void write(EventSpec spec) {
    String namespace = spec.regarding().namespace() == null ? "default" : spec.regarding().namespace();
    String name = nameOf(spec);
    String key = namespace + "/" + name;
    long started = System.nanoTime();
    try {
      Event existing = remembered.get(key);
      if (existing == null) {
        existing = client.events().v1().events().inNamespace(namespace).withName(name).get();
      }
      if (existing == null) {
        existing = client.events().v1().events().inNamespace(namespace).resource(new EventBuilder()
            .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
            .withEventTime(new MicroTime(MICRO.format(spec.at())))
            .withReportingController(CONTROLLER)
            .withReportingInstance(instance)
            .withAction(spec.action())
            .withReason(spec.reason())
            .withType(spec.type())
            .withNote(limit(spec.note()))
            .withNewRegarding().withApiVersion("v1").withKind(spec.regarding().kind())
            .withNamespace(spec.regarding().namespace()).withName(spec.regarding().name()).endRegarding()
            .build()).create();
      } else {
        int count = existing.getSeries() == null ? 2 : existing.getSeries().getCount() + 1;
        existing.setSeries(new EventSeriesBuilder().withCount(count)
            .withLastObservedTime(new MicroTime(MICRO.format(spec.at()))).build());
        existing.setNote(limit(spec.note()));
        existing = client.events().v1().events().inNamespace(namespace).resource(existing).update();
      }
      remembered.put(key, existing);
      written.incrementAndGet();
      timer.record("kubernetes", "event", "ok", System.nanoTime() - started);
    } catch (KubernetesClientException e) {
      timer.record("kubernetes", "event", "error", System.nanoTime() - started);
      // what is remembered may be stale (deleted, changed by someone else): read it next time
      remembered.remove(key);
      failed.incrementAndGet();
      // one line per kind of failure, not one per Event: a missing RBAC rule would otherwise flood the log
      if (reportedFailures.add(e.getCode())) {
        LOG.warn("Kubernetes Event {} on {} not written: HTTP {} {} (further failures with this status are only "
            + "counted in chainwatch_events_failed_total)", spec.reason(), spec.regarding().key(), e.getCode(),
            e.getMessage());
      }
    }
  }

  /** One name per object and reason, so repeats update one Event's series. */
  static String nameOf(EventSpec spec) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest((spec.regarding().key() + "|" + spec.reason())
          .getBytes(StandardCharsets.UTF_8));
      String base = spec.regarding().name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
      return (base.length() > 200 ? base.substring(0, 200) : base) + ".chainwatch." + HexFormat.of().formatHex(hash,
          0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String limit(String note) {
    return note.length() <= 1000 ? note : note.substring(0, 999) + "…";
  }

  public long written() {
    return written.get();
  }

  /** Events dropped because the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  public long failed() {
    return failed.get();
  }

  /** Events not written because more were due than the rate limit allows (the audit log has them all). */
  public long rateLimited() {
    return rateLimited.get();
  }

  @Override
  public void close() {
    writer.shutdown();
    try {
      writer.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

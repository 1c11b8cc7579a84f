package io.chainwatch.watcher.eval;

import io.chainwatch.bus.BusAddresses;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingCleared;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.watcher.detect.Detector;
import io.chainwatch.watcher.detect.Evaluation;
import io.chainwatch.watcher.detect.Subjects;
import io.chainwatch.watcher.health.WatcherMetrics;
import io.chainwatch.watcher.view.ClusterView;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the detectors: for each cluster change the subjects it touches, for each passed deadline that subject, and
 * every {@code sweepInterval} all of them. Publishes new or changed findings and cleared ones. Evaluation starts only
 * once every informer has synced ({@link #activate}): before that a pod could look endpoint-less merely because the
 * endpoints were not listed yet.
 */
public final class EvaluationVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluationVerticle.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final ClusterView view;
  private final List<Detector> detectors;
  private final Clock clock;
  private final Duration sweepInterval;
  private final ChangeGate gate;
  private final WatcherMetrics metrics;
  private final FindingTracker tracker = new FindingTracker();
  private final DeadlineQueue<FindingTracker.SubjectKey> deadlines = new DeadlineQueue<>();
  private final java.util.Map<String, Optional<String>> inactive = new java.util.HashMap<>();
  /** Per snapshot type, the detectors that read it (their declarations say which): a change goes only to those. */
  private final ClassValue<List<Detector>> readers = new ClassValue<>() {
    @Override
    protected List<Detector> computeValue(Class<?> type) {
      return detectors.stream().filter(detector -> detector.reads().map(reads -> reads.contains(type)).orElse(true))
          .toList();
    }
  };

  private boolean active;
  private long deadlineTimer = -1;
  private Instant armedFor;
  private volatile Context evaluationContext;

  public EvaluationVerticle(ClusterView view, List<Detector> detectors, Clock clock, Duration sweepInterval,
      ChangeGate gate, WatcherMetrics metrics) {
    this.view = Objects.requireNonNull(view, "view");
    this.detectors = List.copyOf(detectors);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sweepInterval = Objects.requireNonNull(sweepInterval, "sweepInterval");
    this.gate = Objects.requireNonNull(gate, "gate");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  @Override
  public Future<?> start() {
    evaluationContext = context;
    // every detector and severity from the start: a query or alert sees 0 rather than no series
    for (Detector detector : detectors) {
      for (io.chainwatch.model.Severity severity : io.chainwatch.model.Severity.values()) {
        metrics.gauge("chainwatch_findings_open", "Findings currently open (sum() for the total)",
            java.util.Map.of("detector", detector.id(), "severity", severity.wireName()),
            () -> tracker.openCount(detector.id(), severity));
      }
      metrics.findingsCounted(detector.id());
    }
    metrics.gauge("chainwatch_deadlines_pending", "Subjects waiting for a grace period to end", deadlines::size);
    vertx.eventBus().<ClusterChange>localConsumer(BusAddresses.CLUSTER_CHANGES, message -> {
      gate.release();
      onChange(message.body());
    });
    vertx.setPeriodic(sweepInterval.toMillis(), id -> sweep("sweep"));
    return Future.succeededFuture();
  }

  /** Starts judging: call once every informer has synced. Safe from any thread; completes after the first sweep. */
  public Future<Void> activate() {
    Promise<Void> done = Promise.promise();
    evaluationContext.runOnContext(v -> {
      active = true;
      sweep("initial");
      done.complete();
    });
    return done.future();
  }

  /** Open findings, read on the evaluation context. */
  public Future<List<Finding>> openFindings() {
    Promise<List<Finding>> result = Promise.promise();
    evaluationContext.runOnContext(v -> result.complete(tracker.openFindings()));
    return result.future();
  }

  private void onChange(ClusterChange change) {
    if (!active) {
      return;
    }
    Instant now = clock.instant();
    int evaluated = 0;
    for (Detector detector : readers.get(change.latest().getClass())) {
      Subjects subjects = detector.affectedBy(change, view);
      if (subjects.all()) {
        evaluated += sweepDetector(detector, now);
      } else {
        for (ResourceRef subject : new LinkedHashSet<>(subjects.refs())) {
          evaluate(detector, subject, now);
          evaluated++;
        }
      }
    }
    metrics.evaluations("event", evaluated);
    if (gate.takeSweepRequest()) {
      LOG.warn("Cluster changes were dropped ({} so far): sweeping to catch up", gate.dropped());
      sweep("catch-up");
    }
    armDeadlineTimer();
  }

  private void sweep(String trigger) {
    if (!active) {
      return;
    }
    Instant now = clock.instant();
    int evaluated = 0;
    for (Detector detector : detectors) {
      evaluated += sweepDetector(detector, now);
    }
    metrics.evaluations(trigger, evaluated);
    armDeadlineTimer();
  }

  private int sweepDetector(Detector detector, Instant now) {
    reportInactivity(detector);
    Set<ResourceRef> subjects = new LinkedHashSet<>(detector.allSubjects(view));
    for (FindingTracker.SubjectKey open : tracker.subjectsWithFindings()) {
      if (open.detectorId().equals(detector.id())) {
        subjects.add(open.subject()); // so a finding whose subject vanished is cleared
      }
    }
    for (ResourceRef subject : subjects) {
      evaluate(detector, subject, now);
    }
    return subjects.size();
  }

  private void reportInactivity(Detector detector) {
    Optional<String> reason = detector.inactiveReason(view);
    Optional<String> before = inactive.put(detector.id(), reason);
    if (before == null) {
      metrics.gauge("chainwatch_detector_inactive", "1 while a detector cannot judge this cluster (the log says why)",
          "detector", detector.id(), () -> inactive.getOrDefault(detector.id(), Optional.empty()).isPresent() ? 1 : 0);
    }
    if (!reason.equals(before)) {
      if (reason.isPresent()) {
        LOG.warn("Detector {} is inactive: {}", detector.id(), reason.get());
      } else if (before != null) {
        LOG.info("Detector {} is active again", detector.id());
      }
    }
  }

  private void evaluate(Detector detector, ResourceRef subject, Instant now) {
    Evaluation evaluation;
    try {
      evaluation = detector.evaluate(subject, view, now);
    } catch (RuntimeException e) {
      // One bad subject must not stop the others: it is logged and judged again at the next sweep.
      LOG.error("Detector {} failed on {}", detector.id(), subject.key(), e);
      return;
    }
    FindingTracker.SubjectKey key = new FindingTracker.SubjectKey(detector.id(), subject);
    deadlines.schedule(key, evaluation.recheckAt());
    FindingTracker.Changes changes = tracker.update(detector.id(), subject, evaluation.findings(), now);
    for (Finding finding : changes.emitted()) {
      metrics.findingEmitted(finding.detectorId());
      vertx.eventBus().publish(BusAddresses.FINDINGS, finding, LOCAL);
    }
    for (FindingCleared cleared : changes.cleared()) {
      metrics.findingCleared(cleared.finding().detectorId());
      vertx.eventBus().publish(BusAddresses.FINDINGS_CLEARED, cleared, LOCAL);
    }
  }

  private void armDeadlineTimer() {
    Instant next = deadlines.next();
    if (next == null || next.equals(armedFor)) {
      return;
    }
    if (deadlineTimer >= 0) {
      vertx.cancelTimer(deadlineTimer);
    }
    armedFor = next;
    long delay = Math.max(1, Duration.between(clock.instant(), next).toMillis() + 1);
    deadlineTimer = vertx.setTimer(delay, id -> {
      deadlineTimer = -1;
      armedFor = null;
      onDeadlines();
    });
  }

  private void onDeadlines() {
    Instant now = clock.instant();
    List<FindingTracker.SubjectKey> due = deadlines.pollDue(now);
    for (FindingTracker.SubjectKey key : due) {
      detectors.stream().filter(d -> d.id().equals(key.detectorId())).findFirst()
          .ifPresent(detector -> evaluate(detector, key.subject(), now));
    }
    metrics.evaluations("deadline", due.size());
    armDeadlineTimer();
  }
}

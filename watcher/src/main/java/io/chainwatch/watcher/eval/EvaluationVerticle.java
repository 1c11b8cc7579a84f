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
    vertx.setPeriodic(sweepInterval.toMillis(), id -> sweep("sweep", detectors));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    active = false; // a sweep in progress ends at its next slice
    return Future.succeededFuture();
  }

  /** Starts judging: call once every informer has synced. Safe from any thread; completes after the first sweep. */
  public Future<Void> activate() {
    Promise<Void> done = Promise.promise();
    evaluationContext.runOnContext(v -> {
      active = true;
      sweep("initial", detectors).onComplete(done);
    });
    return done.future();
  }

  /**
   * Sweeps now, as the periodic sweep does (benchmarks and tests). Completes when that sweep is done; asked for while
   * one runs, when the one that follows it is done.
   */
  public Future<Void> sweepNow() {
    Promise<Void> done = Promise.promise();
    evaluationContext.runOnContext(v -> sweep("sweep", detectors).onComplete(done));
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
    List<Detector> judgingEverything = null; // rare (cilium-config): not allocated for every change
    for (Detector detector : readers.get(change.latest().getClass())) {
      Subjects subjects = detector.affectedBy(change, view);
      if (subjects.all()) {
        judgingEverything = judgingEverything == null ? new java.util.ArrayList<>() : judgingEverything;
        judgingEverything.add(detector);
      } else {
        for (ResourceRef subject : new LinkedHashSet<>(subjects.refs())) {
          evaluate(detector, subject, now);
          evaluated++;
        }
      }
    }
    metrics.evaluations("event", evaluated);
    if (judgingEverything != null) {
      sweep("event", judgingEverything); // a change every subject depends on (cilium-config): judged in slices too
    }
    if (gate.takeSweepRequest()) {
      LOG.warn("Cluster changes were dropped ({} so far): sweeping to catch up", gate.dropped());
      sweep("catch-up", detectors);
    }
    armDeadlineTimer();
  }

  /**
   * A sweep in progress: the detectors left and the current one's subjects left. It runs in slices of about
   * {@link #SWEEP_SLICE_NANOS} and queues the rest behind whatever arrived meanwhile, so the changes that come during
   * a sweep are judged within a slice of their arrival: in one piece, the periodic sweep of a 150k-pod view held
   * every change back for its whole length, every five minutes (BENCHMARKS.md, "The evaluator's full sweep").
   */
  private static final class Sweep {
    final String trigger;
    final java.util.ArrayDeque<Detector> detectorsLeft;
    final List<Promise<Void>> waiting = new java.util.ArrayList<>();
    java.util.Iterator<ResourceRef> subjectsLeft = java.util.Collections.emptyIterator();
    Detector current;
    int evaluated;
    /** Asked for while this one ran (subjects this one already passed may have changed since): runs next. */
    Sweep next;

    Sweep(String trigger, List<Detector> detectors) {
      this.trigger = trigger;
      this.detectorsLeft = new java.util.ArrayDeque<>(detectors);
    }
  }

  /** How long a sweep holds the event loop at a time. */
  static final long SWEEP_SLICE_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(2);

  private Sweep sweeping;

  private Future<Void> sweep(String trigger, List<Detector> judged) {
    if (!active) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    if (sweeping != null) {
      // one more after the running one, for every detector asked for meanwhile (all of them: they are few)
      if (sweeping.next == null) {
        sweeping.next = new Sweep(trigger, detectors);
      }
      sweeping.next.waiting.add(done);
      return done.future();
    }
    sweeping = new Sweep(trigger, judged);
    sweeping.waiting.add(done);
    continueSweep();
    return done.future();
  }

  private void continueSweep() {
    Sweep sweep = sweeping;
    long sliceEnds = System.nanoTime() + SWEEP_SLICE_NANOS;
    Instant now = clock.instant();
    int sinceClockRead = 0;
    while (active) {
      if (!sweep.subjectsLeft.hasNext()) {
        sweep.current = sweep.detectorsLeft.poll();
        if (sweep.current == null) {
          break;
        }
        reportInactivity(sweep.current);
        sweep.subjectsLeft = subjectsOf(sweep.current);
        continue;
      }
      evaluate(sweep.current, sweep.subjectsLeft.next(), now);
      sweep.evaluated++;
      if (++sinceClockRead == 32) {
        sinceClockRead = 0;
        if (System.nanoTime() >= sliceEnds) {
          evaluationContext.runOnContext(v -> continueSweep()); // behind the changes that arrived meanwhile
          return;
        }
      }
    }
    metrics.evaluations(sweep.trigger, sweep.evaluated);
    armDeadlineTimer();
    sweeping = null;
    sweep.waiting.forEach(Promise::tryComplete);
    if (sweep.next != null) {
      sweeping = sweep.next;
      evaluationContext.runOnContext(v -> continueSweep()); // its first slice, too, after what arrived meanwhile
    }
  }

  /**
   * The subjects of a detector's open findings (so a finding whose subject vanished clears), then everything else it
   * judges, each once. Read lazily: a sweep's slice may end anywhere in it. Not copied into one set, which took
   * longer than a slice for a view of 150k pods.
   */
  private java.util.Iterator<ResourceRef> subjectsOf(Detector detector) {
    Set<ResourceRef> withFindings = new LinkedHashSet<>();
    for (FindingTracker.SubjectKey open : tracker.subjectsWithFindings()) {
      if (open.detectorId().equals(detector.id())) {
        withFindings.add(open.subject());
      }
    }
    return java.util.stream.Stream.concat(withFindings.stream(),
        detector.allSubjects(view).stream().filter(subject -> !withFindings.contains(subject))).iterator();
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

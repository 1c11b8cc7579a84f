package io.chainwatch.watcher.health;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;

/** The watcher's meters, named once here so that dashboards and alerts can rely on them. */
public final class WatcherMetrics implements AutoCloseable {
  /** Call latency buckets: a Slack or API call takes milliseconds to seconds (timeouts end at 30 s). */
  static final Duration[] CALL_BUCKETS = seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);
  /**
   * Pipeline stage buckets: a finding is decided in milliseconds, an eviction waits for owner cooldowns or an
   * approval (minutes), a replacement is verified within the verify timeout (default 5 min).
   */
  static final Duration[] STAGE_BUCKETS =
      seconds(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600);

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final java.util.List<AutoCloseable> binders = new java.util.ArrayList<>();

  public WatcherMetrics() {
    // two of Micrometer's names fail promtool's lint: the CPU time counter in ns (process_cpu_usage is kept) and a gauge with a _count suffix (exposed as system_cpu_cores)
    registry.config().meterFilter(io.micrometer.core.instrument.config.MeterFilter.denyNameStartsWith(
        "process.cpu.time"));
    registry.config().meterFilter(new io.micrometer.core.instrument.config.MeterFilter() {
      @Override
      public io.micrometer.core.instrument.Meter.Id map(io.micrometer.core.instrument.Meter.Id id) {
        return id.getName().equals("system.cpu.count") ? id.withName("system.cpu.cores") : id;
      }
    });
    // the JVM runs under a memory limit: heap, GC, threads and the process are what an OOM kill is read from
    new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
    var gc = new io.micrometer.core.instrument.binder.jvm.JvmGcMetrics();
    gc.bindTo(registry);
    binders.add(gc);
    var pressure = new io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics();
    pressure.bindTo(registry);
    binders.add(pressure);
    new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.UptimeMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.FileDescriptorMetrics().bindTo(registry);
    io.chainwatch.watcher.logging.BuildInfo build = io.chainwatch.watcher.logging.BuildInfo.current();
    // an info metric (Micrometer would strip a gauge's _info suffix): chainwatch_build_info{...} 1
    io.prometheus.metrics.core.metrics.Info.builder().name("chainwatch_build_info")
        .help("Always 1; the labels say what runs").labelNames("version", "commit", "built", "java")
        .register(registry.getPrometheusRegistry())
        .addLabelValues(build.version(), build.commit(), build.buildTime(), Runtime.version().toString());
    for (io.chainwatch.model.RemediationOutcome.Result result : io.chainwatch.model.RemediationOutcome.Result.values()) {
      remediationOutcomeCounter(result.wireName());
    }
    for (String trigger : java.util.List.of("event", "deadline", "sweep", "initial", "catch-up")) {
      taggedCounter("chainwatch_evaluations_total", "Subject evaluations by trigger", "trigger", trigger);
    }
  }

  private static Duration[] seconds(double... values) {
    Duration[] durations = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      durations[i] = Duration.ofNanos((long) (values[i] * 1e9));
    }
    return durations;
  }

  /** Registers the labelled counters of one watched kind, so they read 0 before their first event. */
  public void kindCounted(String kind) {
    taggedCounter("chainwatch_view_changes_total", "Informer events that changed the view", "kind", kind);
    taggedCounter("chainwatch_projection_errors_total",
        "Objects skipped because they did not fit the expected shape", "kind", kind);
    taggedCounter("chainwatch_informer_errors_total", "Informer list or watch failures", "kind", kind);
  }

  /** Registers the labelled counters of one detector, so they read 0 before its first finding. */
  public void findingsCounted(String detector) {
    taggedCounter("chainwatch_findings_emitted_total", "Findings that were new or changed", "detector", detector);
    taggedCounter("chainwatch_findings_cleared_total", "Findings that stopped holding", "detector", detector);
  }

  /**
   * The timer that notifiers and remediations report their calls to:
   * {@code chainwatch_call_duration_seconds{system, call, outcome}}.
   */
  public io.chainwatch.model.CallTimer callTimer() {
    // a Kafka send calls this per record: the key is a record of the three names, not a concatenated string
    return (system, call, outcome, nanos) -> callTimers.computeIfAbsent(new CallKey(system, call, outcome),
        key -> Timer.builder("chainwatch_call_duration").description("Calls to Slack, Kafka, the "
            + "Kubernetes API and pagers, by system, call and outcome")
            .tag("system", system).tag("call", call).tag("outcome", outcome)
            .serviceLevelObjectives(CALL_BUCKETS).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * One pipeline stage's duration: {@code chainwatch_stage_duration_seconds{stage, detector}} with stage
   * {@code finding-to-decision}, {@code decision-to-action} or {@code action-to-verified}.
   */
  public void stage(String stage, String detector, Duration took) {
    timers.computeIfAbsent("stage\u0000" + stage + '\u0000' + detector, k -> Timer.builder("chainwatch_stage_duration")
        .description("Time from a finding to its remediation decision, from the decision to the action, and from "
            + "the action to the verified replacement")
        .tag("stage", stage).tag("detector", detector).serviceLevelObjectives(STAGE_BUCKETS).register(registry))
        .record(took.isNegative() ? Duration.ZERO : took);
  }

  private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers =
      new java.util.concurrent.ConcurrentHashMap<>();

  private record CallKey(String system, String call, String outcome) {}

  private final java.util.concurrent.ConcurrentHashMap<CallKey, Timer> callTimers =
      new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public void close() {
    for (AutoCloseable binder : binders) {
      try {
        binder.close();
      } catch (Exception e) {
        // a binder that cannot unregister its GC listener leaves nothing behind once the JVM exits
      }
    }
  }
  /** Counters by name and tag, so the per-event path is one map lookup rather than a builder and a registration. */
  private final java.util.concurrent.ConcurrentHashMap<String, Counter> counters =
      new java.util.concurrent.ConcurrentHashMap<>();

  private Counter taggedCounter(String name, String description, String tagKey, String tagValue) {
    return counters.computeIfAbsent(name + '\u0000' + tagValue, k -> Counter.builder(name).description(description)
        .tag(tagKey, tagValue).register(registry));
  }

  private final java.util.List<Supplier<Number>> suppliers = new java.util.concurrent.CopyOnWriteArrayList<>();

  public MeterRegistry registry() {
    return registry;
  }

  /** Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /** Informer events that changed a snapshot, by kind. */
  public void viewChange(String kind) {
    taggedCounter("chainwatch_view_changes_total", "Informer events that changed the view", "kind", kind).increment();
  }

  /** Objects that could not be projected (malformed), by kind. Goal: 0. */
  public void projectionError(String kind) {
    taggedCounter("chainwatch_projection_errors_total",
        "Objects skipped because they did not fit the expected shape", "kind", kind).increment();
  }

  /** Informer list/watch failures, by kind. */
  public void informerError(String kind) {
    taggedCounter("chainwatch_informer_errors_total", "Informer list or watch failures", "kind", kind).increment();
  }

  public void findingEmitted(String detector) {
    taggedCounter("chainwatch_findings_emitted_total", "Findings that were new or changed", "detector", detector)
        .increment();
  }

  public void findingCleared(String detector) {
    taggedCounter("chainwatch_findings_cleared_total", "Findings that stopped holding", "detector", detector).increment();
  }

  /** Remediation decisions by verdict and rule (a wait or skip repeated unchanged is counted once). */
  public void remediationDecision(String verdict, String rule) {
    counters.computeIfAbsent("decision\u0000" + verdict + '\u0000' + rule, k ->
        Counter.builder("chainwatch_remediation_decisions_total").description("Remediation decisions")
            .tag("verdict", verdict).tag("rule", rule).register(registry)).increment();
  }

  /** Remediation outcomes by result. */
  public void remediationOutcome(String result) {
    remediationOutcomeCounter(result).increment();
  }

  private Counter remediationOutcomeCounter(String result) {
    return taggedCounter("chainwatch_remediation_outcomes_total", "Results of evictions (and dry-runs)", "result",
        result);
  }

  public void evaluations(String trigger, int count) {
    taggedCounter("chainwatch_evaluations_total", "Subject evaluations by trigger", "trigger", trigger).increment(count);
  }

  /** Registers a gauge read on every scrape. */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  /** Registers a monotonic counter read on every scrape (exposed with a {@code _total} suffix). */
  public void counter(String name, String description, Supplier<Number> value) {
    // a function counter holds its object weakly; the supplier is often a lambda nothing else references
    suppliers.add(value);
    io.micrometer.core.instrument.FunctionCounter.builder(name, value, v -> v.get().doubleValue())
        .description(description).register(registry);
  }

  /** Registers a gauge with several tags. */
  public void gauge(String name, String description, java.util.Map<String, String> tags, Supplier<Number> value) {
    Gauge.Builder<Supplier<Number>> gauge = Gauge.builder(name, value).description(description);
    tags.forEach(gauge::tag);
    gauge.register(registry);
  }

  /** Registers a gauge with one tag. */
  public void gauge(String name, String description, String tagKey, String tagValue, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).tag(tagKey, tagValue).register(registry);
  }
}

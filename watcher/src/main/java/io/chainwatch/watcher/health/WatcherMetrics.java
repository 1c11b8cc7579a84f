package io.chainwatch.watcher.health;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;

/** The watcher's meters, named once here so that dashboards and alerts can rely on them. */
public final class WatcherMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
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
    taggedCounter("chainwatch_remediation_outcomes_total", "Results of evictions (and dry-runs)", "result", result)
        .increment();
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

  /** Registers a gauge with one tag. */
  public void gauge(String name, String description, String tagKey, String tagValue, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).tag(tagKey, tagValue).register(registry);
  }
}

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

  public MeterRegistry registry() {
    return registry;
  }

  /** Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /** Informer events that changed a snapshot, by kind. */
  public void viewChange(String kind) {
    Counter.builder("chainwatch_view_changes_total").description("Informer events that changed the view")
        .tag("kind", kind).register(registry).increment();
  }

  /** Objects that could not be projected (malformed), by kind. Goal: 0. */
  public void projectionError(String kind) {
    Counter.builder("chainwatch_projection_errors_total")
        .description("Objects skipped because they did not fit the expected shape").tag("kind", kind)
        .register(registry).increment();
  }

  /** Informer list/watch failures, by kind. */
  public void informerError(String kind) {
    Counter.builder("chainwatch_informer_errors_total").description("Informer list or watch failures")
        .tag("kind", kind).register(registry).increment();
  }

  public void findingEmitted(String detector) {
    Counter.builder("chainwatch_findings_emitted_total").description("Findings that were new or changed")
        .tag("detector", detector).register(registry).increment();
  }

  public void findingCleared(String detector) {
    Counter.builder("chainwatch_findings_cleared_total").description("Findings that stopped holding")
        .tag("detector", detector).register(registry).increment();
  }

  public void evaluations(String trigger, int count) {
    Counter.builder("chainwatch_evaluations_total").description("Subject evaluations by trigger")
        .tag("trigger", trigger).register(registry).increment(count);
  }

  /** Registers a gauge read on every scrape. */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  /** Registers a monotonic counter read on every scrape (exposed with a {@code _total} suffix). */
  public void counter(String name, String description, Supplier<Number> value) {
    io.micrometer.core.instrument.FunctionCounter.builder(name, value, v -> v.get().doubleValue())
        .description(description).register(registry);
  }

  /** Registers a gauge with one tag. */
  public void gauge(String name, String description, String tagKey, String tagValue, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).tag(tagKey, tagValue).register(registry);
  }
}

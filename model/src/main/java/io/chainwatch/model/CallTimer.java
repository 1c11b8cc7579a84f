package io.chainwatch.model;

/**
 * Told how long each call to an outside system took (Slack, Kafka, the Kubernetes API, a pager), so that the
 * watcher can keep latency histograms without the notifiers and remediations depending on a metrics library.
 */
@FunctionalInterface
public interface CallTimer {
  /** Records nothing: the default until the watcher wires its histograms. */
  CallTimer NONE = (system, call, outcome, nanos) -> { };

  /**
   * One call's duration.
   *
   * @param system {@code slack}, {@code kafka}, {@code kubernetes}, {@code pagerduty}, {@code opsgenie}
   * @param call what was called, from a small fixed set per system ({@code chat.postMessage}, {@code evict}, ...)
   * @param outcome {@code ok} or {@code error} (an answer that is an error, or none)
   * @param nanos the call's duration in nanoseconds
   */
  void record(String system, String call, String outcome, long nanos);
}

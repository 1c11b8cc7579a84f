package io.chainwatch.watcher.eval;

import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingCleared;
import io.chainwatch.model.ResourceRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Remembers the findings last emitted per (detector, subject) so that an unchanged finding is not emitted again, a
 * changed one is, and one that stops holding is cleared. Not thread-safe: owned by the evaluation verticle.
 */
public final class FindingTracker {
  private final Map<SubjectKey, Map<String, Finding>> open = new HashMap<>();
  /**
   * Open findings by detector and severity, kept as they change: read by the metrics scrape on another thread,
   * which must neither walk {@link #open} nor pay for it on every scrape.
   */
  private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger> openBy =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger openTotal = new java.util.concurrent.atomic.AtomicInteger();

  /** A subject as judged by one detector. */
  public record SubjectKey(String detectorId, ResourceRef subject) {}

  /**
   * What an evaluation changed.
   *
   * @param emitted findings that are new or whose facts changed
   * @param cleared findings that no longer hold
   */
  public record Changes(List<Finding> emitted, List<FindingCleared> cleared) {
    public boolean isEmpty() {
      return emitted.isEmpty() && cleared.isEmpty();
    }
  }

  /** Records the current findings for one subject and returns what differs from last time. */
  public Changes update(String detectorId, ResourceRef subject, List<Finding> current, Instant now) {
    SubjectKey key = new SubjectKey(detectorId, subject);
    Map<String, Finding> previous = open.getOrDefault(key, Map.of());
    if (previous.isEmpty() && current.isEmpty()) {
      return new Changes(List.of(), List.of());
    }
    Map<String, Finding> next = new LinkedHashMap<>();
    List<Finding> emitted = new ArrayList<>();
    for (Finding finding : current) {
      next.put(finding.dedupKey(), finding);
      Finding before = previous.get(finding.dedupKey());
      if (!finding.sameContentAs(before)) {
        emitted.add(finding);
      } else {
        next.put(finding.dedupKey(), before); // keep the first observation and wording of an unchanged finding
      }
    }
    List<FindingCleared> cleared = new ArrayList<>();
    for (Finding before : previous.values()) {
      if (!next.containsKey(before.dedupKey())) {
        cleared.add(new FindingCleared(before, now));
      }
    }
    if (next.isEmpty()) {
      open.remove(key);
    } else {
      open.put(key, next);
    }
    // only what came, went or changed severity: most evaluations find the same findings again
    for (Finding before : previous.values()) {
      Finding after = next.get(before.dedupKey());
      if (after == null || after.severity() != before.severity()) {
        count(before, -1);
      }
    }
    for (Finding after : next.values()) {
      Finding before = previous.get(after.dedupKey());
      if (before == null || before.severity() != after.severity()) {
        count(after, 1);
      }
    }
    return new Changes(emitted, cleared);
  }

  /** Subjects with open findings: the sweep re-evaluates them even when they left the view. */
  public Collection<SubjectKey> subjectsWithFindings() {
    return List.copyOf(open.keySet());
  }

  public int openCount() {
    return openTotal.get();
  }

  /** Open findings of one detector and severity (safe from any thread). */
  public int openCount(String detectorId, io.chainwatch.model.Severity severity) {
    var count = openBy.get(detectorId + '\u0000' + severity.wireName());
    return count == null ? 0 : count.get();
  }

  private void count(Finding finding, int delta) {
    openBy.computeIfAbsent(finding.detectorId() + '\u0000' + finding.severity().wireName(),
        k -> new java.util.concurrent.atomic.AtomicInteger()).addAndGet(delta);
    openTotal.addAndGet(delta);
  }

  /** Every open finding, for the status endpoint and tests. */
  public List<Finding> openFindings() {
    List<Finding> all = new ArrayList<>();
    open.values().forEach(findings -> all.addAll(findings.values()));
    return all;
  }
}

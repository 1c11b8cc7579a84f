package io.chainwatch.watcher.health;

import io.chainwatch.model.RemediationDecision;
import io.chainwatch.model.RemediationOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Measures the remediation pipeline from what is on the bus: finding → decision (the first decision to act or
 * page on a finding, from the finding's observation), decision → action (from the decision to act to the eviction
 * or repair request, approvals and owner cooldowns included), action → verified (from the eviction to the verified
 * replacement). Decisions repeated unchanged (a wait decided again) do not restart a stage. Owned by one event
 * loop; keeps at most {@link #MAX_TRACKED} findings in flight, the oldest forgotten first.
 */
public final class StageLatencies {
  static final int MAX_TRACKED = 10_000;

  private final WatcherMetrics metrics;
  private final Map<String, Instant> decidedToAct = bounded();
  private final Map<String, Instant> acted = bounded();
  private final Map<String, Instant> findingDecided = bounded();

  public StageLatencies(WatcherMetrics metrics) {
    this.metrics = metrics;
  }

  public void decided(RemediationDecision decision) {
    String key = decision.finding().dedupKey();
    String detector = decision.finding().detectorId();
    String verdict = decision.decision().verdict();
    boolean acts = verdict.equals("evict") || verdict.equals("repair");
    if ((acts || verdict.equals("page")) && !decision.finding().observedAt().equals(findingDecided.get(key))) {
      findingDecided.put(key, decision.finding().observedAt());
      metrics.stage("finding-to-decision", detector,
          Duration.between(decision.finding().observedAt(), decision.decidedAt()));
    }
    if (acts) {
      decidedToAct.putIfAbsent(key, decision.decidedAt());
    }
  }

  public void outcome(RemediationOutcome outcome) {
    String key = outcome.finding().dedupKey();
    String detector = outcome.finding().detectorId();
    switch (outcome.result()) {
      case EVICTED, REPAIR_REQUESTED, WOULD_EVICT, WOULD_REPAIR -> {
        Instant decided = decidedToAct.remove(key);
        if (decided != null) {
          metrics.stage("decision-to-action", detector, Duration.between(decided, outcome.at()));
        }
        if (outcome.result() == RemediationOutcome.Result.EVICTED) {
          acted.put(key, outcome.at());
        }
      }
      case VERIFIED -> {
        Instant evicted = acted.remove(key);
        if (evicted != null) {
          metrics.stage("action-to-verified", detector, Duration.between(evicted, outcome.at()));
        }
        findingDecided.remove(key);
      }
      case NOT_HELPED, GONE, FAILED -> {
        acted.remove(key);
        decidedToAct.remove(key);
      }
      default -> { }
    }
  }

  int tracked() {
    return decidedToAct.size() + acted.size() + findingDecided.size();
  }

  private static <V> Map<String, V> bounded() {
    return new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX_TRACKED;
      }
    };
  }
}

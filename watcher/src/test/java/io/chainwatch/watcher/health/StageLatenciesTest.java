package io.chainwatch.watcher.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.Decision;
import io.chainwatch.model.Finding;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.RemediationDecision;
import io.chainwatch.model.RemediationOutcome;
import io.chainwatch.model.RemediationRule;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StageLatenciesTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private final WatcherMetrics metrics = new WatcherMetrics();
  private final StageLatencies stages = new StageLatencies(metrics);
  private final Finding finding = new Finding("missed-cilium-chain", ResourceRef.pod("shop", "web-1"), "node-1",
      Severity.CRITICAL, PlannedAction.RESTART, "no-endpoint", "web-1 runs without Cilium", T0, Map.of());

  private long count(String stage) {
    var timer = metrics.registry().find("chainwatch_stage_duration").tag("stage", stage).timer();
    return timer == null ? 0 : timer.count();
  }

  private double totalSeconds(String stage) {
    return metrics.registry().find("chainwatch_stage_duration").tag("stage", stage).timer()
        .totalTime(java.util.concurrent.TimeUnit.MILLISECONDS) / 1000.0;
  }

  private static Decision evict() {
    return new Decision.Evict(RemediationRule.ELIGIBLE, "evict");
  }

  @Test
  void eachStageIsMeasuredOnceFromTheBusRecords() {
    // a wait decided again and again (owner cooldown) does not restart the stages
    Decision cooldown = new Decision.Wait(RemediationRule.OWNER_COOLDOWN, "cooldown", T0.plusSeconds(60));
    stages.decided(new RemediationDecision(finding, cooldown, false, T0.plusMillis(20)));
    stages.decided(new RemediationDecision(finding, cooldown, false, T0.plusSeconds(30)));
    stages.decided(new RemediationDecision(finding, evict(), false, T0.plusSeconds(60)));
    stages.decided(new RemediationDecision(finding, evict(), false, T0.plusSeconds(61)));
    stages.outcome(new RemediationOutcome(finding, RemediationOutcome.Result.EVICTED, "", Map.of(), T0.plusSeconds(62)));
    stages.outcome(new RemediationOutcome(finding, RemediationOutcome.Result.VERIFIED, "", Map.of(),
        T0.plusSeconds(92)));

    assertThat(count("finding-to-decision")).isEqualTo(1);
    assertThat(totalSeconds("finding-to-decision")).isEqualTo(60.0);
    assertThat(count("decision-to-action")).isEqualTo(1);
    assertThat(totalSeconds("decision-to-action")).isEqualTo(2.0);
    assertThat(count("action-to-verified")).isEqualTo(1);
    assertThat(totalSeconds("action-to-verified")).isEqualTo(30.0);
    assertThat(stages.tracked()).isZero();
  }

  @Test
  void aPageEndsAtTheDecisionAndAFailedEvictionIsNeverVerified() {
    stages.decided(new RemediationDecision(finding, new Decision.Page(RemediationRule.EXCLUDED_NAMESPACE, "page"),
        false, T0.plusSeconds(1)));
    assertThat(count("finding-to-decision")).isEqualTo(1);
    assertThat(count("decision-to-action")).isZero();

    Finding later = new Finding("missed-cilium-chain", ResourceRef.pod("shop", "web-2"), "node-1", Severity.CRITICAL,
        PlannedAction.RESTART, "no-endpoint", "web-2", T0, Map.of());
    stages.decided(new RemediationDecision(later, evict(), false, T0.plusSeconds(1)));
    stages.outcome(new RemediationOutcome(later, RemediationOutcome.Result.FAILED, "403", Map.of(), T0.plusSeconds(2)));
    stages.outcome(new RemediationOutcome(later, RemediationOutcome.Result.VERIFIED, "", Map.of(), T0.plusSeconds(9)));
    assertThat(count("decision-to-action")).isZero();
    assertThat(count("action-to-verified")).isZero();
  }
}

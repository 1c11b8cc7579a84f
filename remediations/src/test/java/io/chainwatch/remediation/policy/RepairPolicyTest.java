package io.chainwatch.remediation.policy;

import static io.chainwatch.remediation.Fixtures.T0;
import static io.chainwatch.remediation.Fixtures.config;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.Decision;
import io.chainwatch.model.Finding;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.RemediationRule;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy's repair rails, one or more cases each, including where it must not act. */
class RepairPolicyTest {
  private static final Map<String, Integer> VALUES = Map.of("all", 0, "lxc1a2b", 0);
  private final RemediationPolicy policy = new RemediationPolicy(config(
      "CHAINWATCH_REMEDIATION_RP_FILTER_REPAIR_ENABLED", "true",
      "CHAINWATCH_REMEDIATION_RP_FILTER_REPAIR_KEY_FILE", "/var/run/secrets/chainwatch/repair/key"));
  private final RemediationHistory history = new RemediationHistory();
  private final Instant now = T0.plusSeconds(3600);

  private static Finding repairFinding(String node) {
    return new Finding("rp-filter-reset", ResourceRef.node(node), node, Severity.CRITICAL, PlannedAction.REPAIR,
        "cilium-interfaces-filtered", "rp_filter is 1 on lxc1a2b", T0, Map.of("routingMode", "tunnel"));
  }

  private static NodeSnapshot node(String name, Map<String, String> annotations) {
    return new NodeSnapshot(name, T0.minusSeconds(86_400), true, Map.of(), List.of(), annotations);
  }

  private static RepairRequest request(Instant... attempts) {
    Instant last = attempts[attempts.length - 1];
    return new RepairRequest("r", last, last.plusSeconds(300), VALUES, "k", List.of(attempts));
  }

  private Decision decide(RepairTarget target) {
    return policy.decideRepair(repairFinding("n1"), target, history, now);
  }

  private static RepairTarget target(RepairRequest previous, Map<String, Integer> values, int otherNodes) {
    return new RepairTarget(node("n1", Map.of()), previous, null, values, otherNodes);
  }

  @Test
  void asksForTheValuesTheReportNeeds() {
    Decision decision = decide(target(null, VALUES, 0));

    assertThat(decision).isInstanceOf(Decision.Repair.class);
    assertThat(decision.verdict()).isEqualTo("repair");
    assertThat(decision.rule()).isEqualTo(RemediationRule.ELIGIBLE);
    assertThat(decision.why()).contains("node n1", "lxc1a2b=0");
  }

  @Test
  void pagesWhenRepairIsNotEnabled() {
    Decision decision = new RemediationPolicy(config()).decideRepair(repairFinding("n1"), target(null, VALUES, 0),
        history, now);

    assertThat(decision).isInstanceOf(Decision.Page.class);
    assertThat(decision.rule()).isEqualTo(RemediationRule.REPAIR_DISABLED);
  }

  @Test
  void skipsAGoneNodeAndFindingsThatDoNotPlanARepair() {
    assertThat(decide(new RepairTarget(null, null, null, VALUES, 0)).rule()).isEqualTo(RemediationRule.NODE_GONE);
    Finding page = new Finding("rp-filter-reset", ResourceRef.node("n1"), "n1", Severity.CRITICAL,
        PlannedAction.PAGE, "x", "s", T0, Map.of());
    assertThat(policy.decideRepair(page, target(null, VALUES, 0), history, now)).isInstanceOf(Decision.Skip.class);
  }

  @Test
  void waitsWhileTheStateIsUnreadable() {
    assertThat(policy.decideRepair(repairFinding("n1"), target(null, VALUES, 0), null, now))
        .isInstanceOf(Decision.Wait.class).extracting(Decision::rule).isEqualTo(RemediationRule.STATE_UNAVAILABLE);
  }

  @Test
  void aNodeThatOptedOutPages() {
    Decision decision = decide(new RepairTarget(node("n1", Map.of("chainwatch.io/remediation", "disabled")), null,
        null, VALUES, 0));

    assertThat(decision).isInstanceOf(Decision.Page.class);
    assertThat(decision.rule()).isEqualTo(RemediationRule.NODE_OPT_OUT);
  }

  @Test
  void nothingToWritePagesAndAnUnreadableRecordPages() {
    assertThat(decide(target(null, Map.of(), 0)).rule()).isEqualTo(RemediationRule.NOTHING_TO_REPAIR);
    Decision unreadable = decide(new RepairTarget(node("n1", Map.of()), null, "version must be 1, got 9", VALUES, 0));
    assertThat(unreadable).isInstanceOf(Decision.Page.class);
    assertThat(unreadable.why()).contains("version must be 1, got 9");
  }

  @Test
  void waitsOutTheNodeCooldownThenRepairsAgain() {
    Decision tooSoon = decide(target(request(now.minusSeconds(60)), VALUES, 0));
    assertThat(tooSoon).isInstanceOf(Decision.Wait.class);
    assertThat(tooSoon.rule()).isEqualTo(RemediationRule.NODE_COOLDOWN);
    assertThat(((Decision.Wait) tooSoon).until()).isEqualTo(now.minusSeconds(60).plus(Duration.ofMinutes(10)));

    Decision later = decide(target(request(now.minusSeconds(601)), VALUES, 0));
    assertThat(later).isInstanceOf(Decision.Repair.class);
    assertThat(later.why()).contains("attempt 2 this hour");
  }

  @Test
  void pagesAfterThreeAttemptsWithinTheHourButNotForOlderOnes() {
    Decision often = decide(target(request(now.minusSeconds(3000), now.minusSeconds(2000), now.minusSeconds(1000)),
        VALUES, 0));
    assertThat(often).isInstanceOf(Decision.Page.class);
    assertThat(often.rule()).isEqualTo(RemediationRule.NODE_ATTEMPTS);
    assertThat(often.why()).contains("something keeps resetting rp_filter");

    Decision spread = decide(target(request(now.minusSeconds(9000), now.minusSeconds(5000), now.minusSeconds(1000)),
        VALUES, 0));
    assertThat(spread).as("two of the three are older than an hour").isInstanceOf(Decision.Repair.class);
  }

  @Test
  void tooManyNodesAtOnceIsAFleetWideChangeAndPages() {
    assertThat(decide(target(null, VALUES, 9))).isInstanceOf(Decision.Repair.class);
    Decision storm = decide(target(null, VALUES, 10));
    assertThat(storm).isInstanceOf(Decision.Page.class);
    assertThat(storm.rule()).isEqualTo(RemediationRule.REPAIR_STORM);
  }

  @Test
  void theOpenBreakerStopsRepairsToo() {
    history.openBreaker(new RemediationHistory.BreakerState(now.minusSeconds(10), now.plusSeconds(600), "storm"));

    assertThat(decide(target(null, VALUES, 0)).rule()).isEqualTo(RemediationRule.BREAKER_OPEN);
  }

  @Test
  void theNextRequestCarriesTheAttemptsOfTheLastHourOnly() {
    RepairRequest previous = request(now.minusSeconds(5000), now.minusSeconds(1000));

    RepairRequest next = RepairRequest.next(previous, "r2", now, Duration.ofMinutes(5), VALUES, "k");

    assertThat(next.attempts()).containsExactly(now.minusSeconds(1000), now);
    assertThat(next.expiresAt()).isEqualTo(now.plusSeconds(300));
  }
}

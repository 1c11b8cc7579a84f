package io.chainwatch.remediation.workflow;

import static io.chainwatch.remediation.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.config.RemediationConfig;
import io.chainwatch.model.Finding;
import io.chainwatch.model.NodeReport;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.RemediationOutcome.Result;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.remediation.Fixtures;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The repair workflow's transitions, a lost lease and a restart of chainwatch in each state. */
class RepairWorkflowTest {
  private static final Map<String, Integer> VALUES = Map.of("lxc1a2b", 0);
  private final RemediationConfig config = Fixtures.config("CHAINWATCH_REMEDIATION_RP_FILTER_REPAIR_ENABLED", "true",
      "CHAINWATCH_REMEDIATION_RP_FILTER_REPAIR_KEY_FILE", "/var/run/secrets/chainwatch/repair/key");
  private RepairWorkflow workflow = new RepairWorkflow(config);
  private final Map<String, NodeReport> reports = new HashMap<>();
  private final Finding finding = new Finding("rp-filter-reset", ResourceRef.node("n1"), "n1", Severity.CRITICAL,
      PlannedAction.REPAIR, "cilium-interfaces-filtered", "rp_filter is 1 on lxc1a2b", T0, Map.of());

  private Optional<NodeReport> report(String node) {
    return Optional.ofNullable(reports.get(node));
  }

  private static List<Result> outcomes(List<Effect> effects) {
    return effects.stream().filter(Effect.PublishOutcome.class::isInstance)
        .map(e -> ((Effect.PublishOutcome) e).outcome().result()).toList();
  }

  private RepairAttempt asked() {
    NodeSnapshot node = new NodeSnapshot("n1", T0.minusSeconds(86_400), true, Map.of(), List.of(), Map.of());
    List<Effect> effects = workflow.repair(finding, new io.chainwatch.remediation.policy.RepairTarget(node, null, null,
        VALUES, 0), "req-1", T0);
    assertThat(effects).singleElement().isInstanceOf(Effect.WriteRepair.class);
    return ((Effect.WriteRepair) effects.get(0)).attempt();
  }

  private void answer(RepairAttempt attempt, Map<String, String> errors, String refused) {
    reports.put("n1", new NodeReport(T0.plusSeconds(30), "eth0", Map.of("lxc1a2b", 1), null, null, null,
        new NodeReport.RepairAnswer(attempt.request().id(), T0.plusSeconds(30), Map.of("lxc1a2b", 0), errors,
            refused)));
  }

  @Test
  void askedTheRequestIsInFlightSoTheNextDecisionSeesIt() {
    RepairAttempt attempt = asked();
    assertThat(attempt.request().values()).isEqualTo(VALUES);
    assertThat(workflow.inFlight("n1")).contains(attempt.request());
    assertThat(outcomes(workflow.written(attempt, T0))).containsExactly(Result.REPAIR_REQUESTED);
  }

  @Test
  void leaseLostBeforeTheWriteNothingIsRequestedAndItIsDecidedAgainLater() {
    RepairAttempt attempt = asked();
    List<Effect> effects = workflow.notWritten(attempt, true, "not the leader", T0);

    assertThat(outcomes(effects)).containsExactly(Result.NOT_LEADER);
    assertThat(effects).contains(new Effect.DecideAt(finding, T0.plusSeconds(10)));
    assertThat(workflow.inFlight("n1")).isEmpty();
  }

  @Test
  void aWriteThatFailsPagesAndIsNotRetriedBlindly() {
    RepairAttempt attempt = asked();
    List<Effect> effects = workflow.notWritten(attempt, false, "nodes \"n1\" is forbidden", T0);

    assertThat(outcomes(effects)).containsExactly(Result.FAILED);
    assertThat(effects).noneMatch(Effect.DecideAt.class::isInstance);
  }

  @Test
  void theFindingClearsAfterTheProbeWroteVerified() {
    RepairAttempt attempt = asked();
    answer(attempt, Map.of(), null);
    List<Effect> effects = workflow.cleared(finding, this::report, T0.plusSeconds(40));

    assertThat(outcomes(effects)).containsExactly(Result.VERIFIED);
    assertThat(((Effect.PublishOutcome) effects.get(0)).outcome().evidence()).containsEntry("written",
        Map.of("lxc1a2b", 0)).containsEntry("verifiedAfterSeconds", 40L);
    assertThat(workflow.inFlight("n1")).isEmpty();
  }

  @Test
  void theProbeRefusedOrCouldNotWriteFailedAtOnce() {
    RepairAttempt attempt = asked();
    answer(attempt, Map.of(), "signature does not match");
    assertThat(outcomes(workflow.verify(this::report, T0.plusSeconds(31)))).containsExactly(Result.FAILED);

    RepairAttempt second = asked();
    answer(second, Map.of("lxc1a2b", "read-only file system"), null);
    List<Effect> effects = workflow.verify(this::report, T0.plusSeconds(31));
    assertThat(outcomes(effects)).containsExactly(Result.FAILED);
    assertThat(effects).contains(new Effect.DecideWaiting());
  }

  @Test
  void noAnswerOrAProblemThatStaysPastTheVerifyTimeoutDidNotHelp() {
    RepairAttempt attempt = asked();
    Instant late = T0.plus(config.verifyTimeout());
    assertThat(workflow.verify(this::report, late.minusSeconds(1))).isEmpty();
    List<Effect> silent = workflow.verify(this::report, late);
    assertThat(outcomes(silent)).containsExactly(Result.NOT_HELPED);
    assertThat(((Effect.PublishOutcome) silent.get(0)).outcome().detail()).contains("did not answer");

    RepairAttempt second = asked();
    answer(second, Map.of(), null);
    List<Effect> setBack = workflow.verify(this::report, late);
    assertThat(((Effect.PublishOutcome) setBack.get(0)).outcome().detail()).contains("something sets it back");
  }

  @Test
  void aLeaseLostWhileARequestIsInFlightStillFollowsItToItsEnd() {
    RepairAttempt attempt = asked();
    workflow.written(attempt, T0);
    // the workflow never asks the permit to follow: the answer is recorded whoever leads now
    answer(attempt, Map.of(), null);
    assertThat(outcomes(workflow.cleared(finding, this::report, T0.plusSeconds(40)))).containsExactly(Result.VERIFIED);
  }

  @Test
  void afterARestartTheRequestOnTheNodeIsWhatCountsNothingIsInFlightInMemory() {
    RepairAttempt attempt = asked();
    workflow.written(attempt, T0);
    workflow = new RepairWorkflow(config); // restarted: the request lives on the Node, read back as the previous one

    assertThat(workflow.inFlight("n1")).isEmpty();
    assertThat(workflow.cleared(finding, this::report, T0.plusSeconds(40))).as("nobody follows it any more")
        .isEmpty();
    assertThat(workflow.verify(this::report, T0.plus(config.verifyTimeout()))).isEmpty();
  }

  @Test
  void aClearedFindingOfAnotherNodeOrReasonIsNotThisRepairs() {
    asked();
    Finding other = new Finding("rp-filter-reset", ResourceRef.node("n1"), "n1", Severity.CRITICAL,
        PlannedAction.REPAIR, "uplink-strict", "s", T0, Map.of());
    assertThat(workflow.cleared(other, this::report, T0.plusSeconds(5))).isEmpty();
    assertThat(workflow.inFlight("n1")).isPresent();
  }

  @Test
  void dryRunSaysWhatWouldHaveBeenAskedAndWritesNothing() {
    RepairWorkflow dryRun = new RepairWorkflow(Fixtures.config("CHAINWATCH_REMEDIATION_MODE", "dry-run",
        "CHAINWATCH_REMEDIATION_RP_FILTER_REPAIR_ENABLED", "true",
        "CHAINWATCH_REMEDIATION_RP_FILTER_REPAIR_KEY_FILE", "/k/key"));
    NodeSnapshot node = new NodeSnapshot("n1", T0, true, Map.of(), List.of(), Map.of());
    List<Effect> effects = dryRun.repair(finding, new io.chainwatch.remediation.policy.RepairTarget(node, null, null,
        VALUES, 0), "req-1", T0);

    assertThat(outcomes(effects)).containsExactly(Result.WOULD_REPAIR);
    assertThat(dryRun.inFlight("n1")).isEmpty();
  }
}

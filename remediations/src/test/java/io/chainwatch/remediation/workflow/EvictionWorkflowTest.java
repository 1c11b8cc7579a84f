package io.chainwatch.remediation.workflow;

import static io.chainwatch.remediation.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.config.RemediationConfig;
import io.chainwatch.model.Finding;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.RemediationOutcome;
import io.chainwatch.model.RemediationOutcome.Result;
import io.chainwatch.remediation.Fixtures;
import io.chainwatch.remediation.InMemoryRemediationView;
import io.chainwatch.remediation.action.EvictionResult;
import io.chainwatch.remediation.action.RemediationStateCodec;
import io.chainwatch.remediation.policy.EvictionRecord;
import io.chainwatch.remediation.policy.RemediationHistory;
import io.chainwatch.remediation.policy.RemediationPolicy;
import io.chainwatch.remediation.policy.RemediationTarget;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The eviction workflow's transitions, one table row per test: each state, the event, the state after and the effects.
 * Every state is also crossed with a lost lease and with a restart of chainwatch (a new workflow on the history read
 * back from its ConfigMap).
 */
class EvictionWorkflowTest {
  private final RemediationConfig config = Fixtures.config();
  private final RemediationPolicy policy = new RemediationPolicy(config);
  private EvictionWorkflow workflow = new EvictionWorkflow(policy);
  private RemediationHistory history = new RemediationHistory();
  private final InMemoryRemediationView view = new InMemoryRemediationView();
  private final PodSnapshot pod = Fixtures.pod("shop", "web-1", "web-rs", "n1");
  private final Finding finding = Fixtures.restartFinding(pod);
  private final RemediationTarget target = new RemediationTarget(pod, null, List.of(), 3);

  private static <T extends Effect> List<T> of(List<Effect> effects, Class<T> type) {
    return effects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static List<Result> outcomes(List<Effect> effects) {
    return of(effects, Effect.PublishOutcome.class).stream().map(p -> p.outcome().result()).toList();
  }

  private EvictionAttempt decided() {
    List<Effect> effects = workflow.evict(history, finding, target, T0);
    assertThat(effects).singleElement().isInstanceOf(Effect.SaveIntent.class);
    return of(effects, Effect.SaveIntent.class).get(0).attempt();
  }

  /** chainwatch restarts: its memory is gone, the history comes back from the ConfigMap. */
  private void restart() {
    history = RemediationStateCodec.decode(RemediationStateCodec.encode(history));
    workflow = new EvictionWorkflow(policy);
  }

  private EvictionRecord record() {
    return history.eviction(pod.uid()).orElseThrow();
  }

  @Test
  void decidedTheIntentIsRecordedBeforeAnythingIsSent() {
    decided();
    assertThat(record().status()).isEqualTo(EvictionRecord.Status.REQUESTED);
    assertThat(history.lastPodAttempt("shop/web-1")).contains(T0);
    assertThat(workflow.followedPodUids()).containsExactly(pod.uid());
  }

  @Test
  void intentSavedAndStillLeadingTheRequestIsSent() {
    EvictionAttempt attempt = decided();
    assertThat(workflow.intentSaved(history, attempt, true, T0)).containsExactly(new Effect.Evict(attempt));
  }

  @Test
  void leaseLostBetweenSavingTheIntentAndSendingNothingIsSentAndTheAttemptIsWithdrawn() {
    EvictionAttempt attempt = decided();
    List<Effect> effects = workflow.intentSaved(history, attempt, false, T0);

    assertThat(of(effects, Effect.Evict.class)).isEmpty();
    assertThat(outcomes(effects)).containsExactly(Result.NOT_LEADER);
    assertThat(of(effects, Effect.DecideAt.class)).singleElement().extracting(Effect.DecideAt::at)
        .isEqualTo(T0.plusSeconds(10));
    assertThat(of(effects, Effect.Save.class)).as("the withdrawal is written").hasSize(1);
    assertThat(history.eviction(pod.uid())).isEmpty();
    assertThat(history.lastPodAttempt("shop/web-1")).isEmpty();
  }

  @Test
  void leaseLostWhileSavingTheIntentNothingIsSent() {
    EvictionAttempt attempt = decided();
    List<Effect> effects = workflow.intentNotSaved(history, attempt, EvictionWorkflow.NotSaved.NOT_LEADER,
        "not the leader", T0);

    assertThat(outcomes(effects)).containsExactly(Result.NOT_LEADER);
    assertThat(of(effects, Effect.Evict.class)).isEmpty();
    assertThat(history.eviction(pod.uid())).isEmpty();
  }

  @Test
  void anotherWriterChangedTheStateTheAttemptIsWithdrawnAndDecidedAgainAtOnceWithoutAPage() {
    EvictionAttempt attempt = decided();
    List<Effect> effects = workflow.intentNotSaved(history, attempt, EvictionWorkflow.NotSaved.STATE_CHANGED,
        "changed", T0);

    assertThat(effects).containsExactly(new Effect.DecideNow(finding));
    assertThat(history.eviction(pod.uid())).isEmpty();
    assertThat(workflow.followedPodUids()).isEmpty();
  }

  @Test
  void theIntentCouldNotBeWrittenPagesAndTriesAgainAfterThePodCooldown() {
    EvictionAttempt attempt = decided();
    List<Effect> effects = workflow.intentNotSaved(history, attempt, EvictionWorkflow.NotSaved.FAILED,
        "chainwatch/state: timeout", T0);

    assertThat(outcomes(effects)).containsExactly(Result.FAILED);
    assertThat(of(effects, Effect.PublishOutcome.class).get(0).outcome().detail())
        .contains("could not be saved to chainwatch/state: timeout");
    assertThat(of(effects, Effect.DecideAt.class).get(0).at()).isEqualTo(T0.plus(config.podCooldown()));
  }

  @Test
  void sentAndEvictedItIsFollowedThenVerifiedByAReplacementWithItsEndpoint() {
    EvictionAttempt attempt = decided();
    List<Effect> answered = workflow.answered(history, attempt, new EvictionResult(EvictionResult.Kind.EVICTED, 201,
        "Created", null), T0.plusSeconds(1));
    assertThat(outcomes(answered)).containsExactly(Result.EVICTED);
    assertThat(of(answered, Effect.DecideWaiting.class)).as("the owner is still busy").isEmpty();
    assertThat(record().status()).isEqualTo(EvictionRecord.Status.EVICTED);

    assertThat(workflow.verify(history, view, T0.plusSeconds(5))).as("no replacement yet").isEmpty();
    view.add(Fixtures.replacement(pod, "web-2", T0.plusSeconds(2)), true);
    List<Effect> verified = workflow.verify(history, view, T0.plusSeconds(6));

    assertThat(outcomes(verified)).containsExactly(Result.VERIFIED);
    assertThat(of(verified, Effect.PublishOutcome.class).get(0).outcome().finding()).isEqualTo(finding);
    assertThat(record().status()).isEqualTo(EvictionRecord.Status.SETTLED);
    assertThat(workflow.verify(history, view, T0.plusSeconds(7))).as("settled once").isEmpty();
  }

  @Test
  void anAnswerArrivingAfterTheLeaseWasLostIsStillRecorded() {
    EvictionAttempt attempt = decided();
    workflow.intentSaved(history, attempt, true, T0);
    // the lease is lost while the request is on its way: the workflow never asks the permit for an answer
    List<Effect> answered = workflow.answered(history, attempt, new EvictionResult(EvictionResult.Kind.EVICTED, 201,
        "Created", null), T0.plusSeconds(3));

    assertThat(outcomes(answered)).containsExactly(Result.EVICTED);
    assertThat(record().status()).isEqualTo(EvictionRecord.Status.EVICTED);
  }

  @Test
  void evictedAndNoReplacementWithinTheVerifyTimeoutDidNotHelp() {
    EvictionAttempt attempt = decided();
    workflow.answered(history, attempt, new EvictionResult(EvictionResult.Kind.EVICTED, 201, "Created", null), T0);
    view.add(pod, false); // still there

    List<Effect> effects = workflow.verify(history, view, T0.plus(config.verifyTimeout()));

    assertThat(outcomes(effects)).containsExactly(Result.NOT_HELPED);
    assertThat(of(effects, Effect.PublishOutcome.class).get(0).outcome().detail())
        .contains("the evicted pod is still there", "no replacement pod appeared");
    assertThat(of(effects, Effect.DecideWaiting.class)).hasSize(1);
  }

  @Test
  void aBudgetRefusalWaitsForItsRetryTimeAndTheRetryKeepsTheRefusalCount() {
    EvictionAttempt attempt = decided();
    List<Effect> refused = workflow.answered(history, attempt, new EvictionResult(EvictionResult.Kind.BUDGET_REFUSED,
        429, "Cannot evict pod as it would violate the pod's disruption budget.", "web-pdb"), T0);
    Instant retryAt = policy.retryAfterRefusal(0, T0);

    assertThat(outcomes(refused)).containsExactly(Result.BUDGET_REFUSED);
    assertThat(of(refused, Effect.DecideAt.class)).singleElement().extracting(Effect.DecideAt::at).isEqualTo(retryAt);
    assertThat(record().status()).isEqualTo(EvictionRecord.Status.REFUSED);
    assertThat(record().budget()).isEqualTo("web-pdb");

    restart(); // a refused eviction survives a restart and is retried as such
    List<Effect> retried = workflow.evict(history, finding, target, retryAt);
    assertThat(of(retried, Effect.SaveIntent.class).get(0).attempt().previous()).isNotNull();
    assertThat(record().budgetRefusals()).isEqualTo(1);
    assertThat(history.ownerAttemptsSince(pod.ownerKey(), T0.minusSeconds(1)))
        .as("a retry is no new attempt on the owner").hasSize(1);
  }

  @Test
  void goneOrFailedSettleAtOnceAndFreeTheOwnerForOthers() {
    EvictionAttempt attempt = decided();
    List<Effect> gone = workflow.answered(history, attempt, new EvictionResult(EvictionResult.Kind.GONE, 404,
        "not found", null), T0);
    assertThat(outcomes(gone)).containsExactly(Result.GONE);
    assertThat(of(gone, Effect.DecideWaiting.class)).hasSize(1);
    assertThat(record().status()).isEqualTo(EvictionRecord.Status.SETTLED);

    history = new RemediationHistory();
    EvictionAttempt second = decided();
    List<Effect> failed = workflow.answered(history, second, new EvictionResult(EvictionResult.Kind.FAILED, 403,
        "forbidden", null), T0);
    assertThat(outcomes(failed)).containsExactly(Result.FAILED);
    assertThat(record().status()).isEqualTo(EvictionRecord.Status.SETTLED);
  }

  @Test
  void restartedWhileTheRequestWasUnansweredItIsFollowedAndNeverSentAgain() {
    decided(); // intent saved, request sent, chainwatch died before the answer
    restart();

    assertThat(workflow.verify(history, view, T0.plus(config.requestTimeout()))).as("the answer may still come")
        .isEmpty();
    List<Effect> effects = workflow.verify(history, view, T0.plus(config.verifyTimeout()));

    assertThat(outcomes(effects)).containsExactly(Result.NOT_HELPED);
    RemediationOutcome outcome = of(effects, Effect.PublishOutcome.class).get(0).outcome();
    assertThat(outcome.detail()).contains("the eviction's answer was never processed");
    assertThat(outcome.finding().facts().subjectUid()).as("the finding rebuilt from the record").isEqualTo(pod.uid());
    assertThat(of(effects, Effect.Evict.class)).isEmpty();
  }

  @Test
  void restartedWhileFollowingAnEvictedPodItsReplacementStillVerifiesIt() {
    EvictionAttempt attempt = decided();
    workflow.answered(history, attempt, new EvictionResult(EvictionResult.Kind.EVICTED, 201, "Created", null), T0);
    restart();
    view.add(Fixtures.replacement(pod, "web-2", T0.plusSeconds(2)), true);

    List<Effect> effects = workflow.verify(history, view, T0.plusSeconds(10));

    assertThat(outcomes(effects)).containsExactly(Result.VERIFIED);
    assertThat(of(effects, Effect.PublishOutcome.class).get(0).outcome().finding().detectorId())
        .isEqualTo("missed-cilium-chain");
  }

  @Test
  void restartedAfterSettlingNothingHappensAgain() {
    EvictionAttempt attempt = decided();
    workflow.answered(history, attempt, new EvictionResult(EvictionResult.Kind.GONE, 404, "not found", null), T0);
    restart();

    assertThat(workflow.verify(history, view, T0.plus(config.verifyTimeout()).plusSeconds(1))).isEmpty();
    assertThat(record().status()).isEqualTo(EvictionRecord.Status.SETTLED);
  }

  @Test
  void oneReplacementVerifiesOneEvictionNotTwo() {
    PodSnapshot sibling = Fixtures.pod("shop", "web-9", "web-rs", "n2");
    EvictionAttempt first = decided();
    workflow.answered(history, first, new EvictionResult(EvictionResult.Kind.EVICTED, 201, "Created", null), T0);
    List<Effect> second = workflow.evict(history, Fixtures.restartFinding(sibling),
        new RemediationTarget(sibling, null, List.of(), 3), T0);
    workflow.answered(history, of(second, Effect.SaveIntent.class).get(0).attempt(),
        new EvictionResult(EvictionResult.Kind.EVICTED, 201, "Created", null), T0);
    view.add(Fixtures.replacement(pod, "web-2", T0.plusSeconds(2)), true);

    assertThat(outcomes(workflow.verify(history, view, T0.plusSeconds(5)))).containsExactly(Result.VERIFIED);
  }

  @Test
  void dryRunRecordsWhatWouldHaveBeenDoneAndSendsNothing() {
    RemediationPolicy dry = new RemediationPolicy(Fixtures.config("CHAINWATCH_REMEDIATION_MODE", "dry-run"));
    EvictionWorkflow dryRun = new EvictionWorkflow(dry);
    List<Effect> effects = dryRun.evict(history, finding, target, T0);

    assertThat(outcomes(effects)).containsExactly(Result.WOULD_EVICT);
    assertThat(of(effects, Effect.SaveIntent.class)).isEmpty();
    assertThat(record().dryRun()).isTrue();
    assertThat(dryRun.verify(history, view, T0.plus(config.verifyTimeout()))).isEmpty();
  }

  @Test
  void aDetectorInObserveModeOnlySaysWhatItWouldDoWhileTheOthersAct() {
    RemediationConfig perDetector = Fixtures.config("CHAINWATCH_REMEDIATION_MODE", "enforce",
        "CHAINWATCH_REMEDIATION_DETECTOR_MODES", "missed-cilium-chain=observe");
    EvictionWorkflow observing = new EvictionWorkflow(new RemediationPolicy(perDetector));

    List<Effect> observed = observing.evict(new RemediationHistory(), finding, target, T0);
    Finding stuck = new Finding("endpoint-stuck", finding.resource(), finding.node(), finding.severity(),
        finding.action(), "waiting-for-identity", "stuck", T0, finding.evidence());
    List<Effect> acted = observing.evict(new RemediationHistory(), stuck, target, T0);

    assertThat(outcomes(observed)).containsExactly(Result.WOULD_EVICT);
    assertThat(of(observed, Effect.PublishOutcome.class).get(0).outcome().detail())
        .contains("missed-cilium-chain observes");
    assertThat(of(acted, Effect.SaveIntent.class)).as("endpoint-stuck follows the global enforce").hasSize(1);
  }

  @Test
  void aDetectorSetToEnforceActsWhileTheGlobalModeIsDryRun() {
    RemediationConfig perDetector = Fixtures.config("CHAINWATCH_REMEDIATION_MODE", "dry-run",
        "CHAINWATCH_REMEDIATION_DETECTOR_MODES", "missed-cilium-chain=enforce");

    List<Effect> effects = new EvictionWorkflow(new RemediationPolicy(perDetector))
        .evict(new RemediationHistory(), finding, target, T0);

    assertThat(of(effects, Effect.SaveIntent.class)).hasSize(1);
    assertThat(perDetector.anyEnforced()).isTrue();
  }
}

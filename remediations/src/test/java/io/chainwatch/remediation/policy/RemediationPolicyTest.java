package io.chainwatch.remediation.policy;

import static io.chainwatch.remediation.Fixtures.T0;
import static io.chainwatch.remediation.Fixtures.budgetFor;
import static io.chainwatch.remediation.Fixtures.config;
import static io.chainwatch.remediation.Fixtures.finding;
import static io.chainwatch.remediation.Fixtures.namespace;
import static io.chainwatch.remediation.Fixtures.optedOut;
import static io.chainwatch.remediation.Fixtures.pod;
import static io.chainwatch.remediation.Fixtures.restartFinding;
import static io.chainwatch.remediation.Fixtures.terminating;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.BudgetSnapshot;
import io.chainwatch.model.Decision;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.RemediationRule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemediationPolicyTest {
  private final RemediationPolicy policy = new RemediationPolicy(config());
  private final RemediationHistory history = new RemediationHistory();
  private final PodSnapshot web = pod("shop", "web-1", "web-rs", "node-a");
  private final Instant now = T0.plusSeconds(60);

  private Decision decide(PodSnapshot pod) {
    return policy.decide(restartFinding(pod), target(pod), history, now);
  }

  private static RemediationTarget target(PodSnapshot pod, BudgetSnapshot... budgets) {
    return new RemediationTarget(pod, namespace(pod.namespace(), false), List.of(budgets), 10);
  }

  private EvictionRecord evicted(PodSnapshot pod, Instant at, EvictionRecord.Status status) {
    return new EvictionRecord(pod.namespace() + "/" + pod.name(), pod.uid(), pod.ownerKey(), pod.nodeName(), "k",
        at, status, 0, null, null, false);
  }

  @Test
  void evictsAnEligiblePodAndSaysWhichOwnerRecreatesIt() {
    Decision decision = decide(web);

    assertThat(decision).isInstanceOf(Decision.Evict.class);
    assertThat(decision.rule()).isEqualTo(RemediationRule.ELIGIBLE);
    assertThat(decision.why()).contains("shop/web-1", "ReplicaSet web-rs");
  }

  @Test
  void anEvictionSaysWhyTheDetectorExpectsANewPodToFixIt() {
    io.chainwatch.model.Finding stuck = new io.chainwatch.model.Finding("endpoint-stuck", web.ref(), web.nodeName(),
        io.chainwatch.model.Severity.CRITICAL, PlannedAction.RESTART, "waiting-for-identity", "stuck", T0,
        java.util.Map.of("podUid", web.uid(), io.chainwatch.model.FindingFacts.ACTION_REASON,
            "its ReplicaSet web-rs recreates it, and the agent builds a new endpoint for the new pod"));

    Decision decision = policy.decide(stuck, target(web), history, now);

    assertThat(decision).isInstanceOf(Decision.Evict.class);
    assertThat(decision.why()).contains("evict shop/web-1: its ReplicaSet web-rs recreates it, and the agent builds "
        + "a new endpoint").doesNotContain("CNI chain");
  }

  @Test
  void skipsFindingsThatDoNotPlanARestart() {
    Decision decision = policy.decide(finding(web, PlannedAction.PAGE), target(web), history, now);

    assertThat(decision).isInstanceOf(Decision.Skip.class);
    assertThat(decision.rule()).isEqualTo(RemediationRule.NOT_A_RESTART);
  }

  @Test
  void skipsWhenThePodIsGoneOrWasReplacedUnderTheSameName() {
    PodSnapshot sameNameNewUid = pod("shop", "web-1", "web-rs", "node-a");
    sameNameNewUid = new PodSnapshot("shop", "web-1", "other-uid", "node-a", "Running", false, false, T0, T0, true,
        T0, sameNameNewUid.owner(), sameNameNewUid.labels(), false, null);

    Decision gone = policy.decide(restartFinding(web), new RemediationTarget(null, null, List.of(), 10), history,
        now);
    Decision replaced = policy.decide(restartFinding(web), target(sameNameNewUid), history, now);

    assertThat(gone.rule()).isEqualTo(RemediationRule.POD_GONE);
    assertThat(replaced.rule()).isEqualTo(RemediationRule.POD_GONE);
    assertThat(replaced).isInstanceOf(Decision.Skip.class);
  }

  @Test
  void skipsAPodAlreadyTerminating() {
    assertThat(decide(terminating(web)).rule()).isEqualTo(RemediationRule.POD_TERMINATING);
  }

  @Test
  void waitsWhenTheSavedStateCouldNotBeRead() {
    Decision decision = policy.decide(restartFinding(web), target(web), null, now);

    assertThat(decision).isInstanceOf(Decision.Wait.class);
    assertThat(decision.rule()).isEqualTo(RemediationRule.STATE_UNAVAILABLE);
    assertThat(((Decision.Wait) decision).until()).isAfter(now);
  }

  @Test
  void pagesInsteadOfEvictingInExcludedNamespacesKubeSystemByDefault() {
    PodSnapshot dns = pod("kube-system", "coredns-1", "coredns-rs", "node-a");
    RemediationPolicy custom = new RemediationPolicy(config("CHAINWATCH_REMEDIATION_EXCLUDED_NAMESPACES",
        "monitoring, payments"));

    Decision byDefault = decide(dns);
    Decision listed = custom.decide(restartFinding(pod("payments", "api-1", "api-rs", "n")),
        target(pod("payments", "api-1", "api-rs", "n")), history, now);
    Decision notListed = custom.decide(restartFinding(dns), target(dns), history, now);

    assertThat(byDefault).isInstanceOf(Decision.Page.class);
    assertThat(byDefault.rule()).isEqualTo(RemediationRule.EXCLUDED_NAMESPACE);
    assertThat(listed.rule()).isEqualTo(RemediationRule.EXCLUDED_NAMESPACE);
    assertThat(notListed.rule()).isEqualTo(RemediationRule.ELIGIBLE);
  }

  @Test
  void pagesWhenThePodOrItsNamespaceOptedOut() {
    Decision pod = decide(optedOut(web));
    Decision namespace = policy.decide(restartFinding(web),
        new RemediationTarget(web, namespace("shop", true), List.of(), 10), history, now);

    assertThat(pod).isInstanceOf(Decision.Page.class);
    assertThat(pod.rule()).isEqualTo(RemediationRule.POD_OPT_OUT);
    assertThat(namespace).isInstanceOf(Decision.Page.class);
    assertThat(namespace.rule()).isEqualTo(RemediationRule.NAMESPACE_OPT_OUT);
  }

  @Test
  void pagesForABarePod() {
    Decision decision = decide(pod("shop", "debug", null, "node-a"));

    assertThat(decision).isInstanceOf(Decision.Page.class);
    assertThat(decision.rule()).isEqualTo(RemediationRule.NO_OWNER);
  }

  @Test
  void neverEvictsTheSamePodTwice() {
    history.putEviction(evicted(web, T0, EvictionRecord.Status.EVICTED));

    Decision decision = policy.decide(restartFinding(web), target(web), history, T0.plus(Duration.ofDays(1)));

    assertThat(decision).isInstanceOf(Decision.Skip.class);
    assertThat(decision.rule()).isEqualTo(RemediationRule.ALREADY_EVICTED);
  }

  @Test
  void waitsForThePodCooldownThenEvicts() {
    history.recordAttempt("shop/web-1", web.ownerKey(), now.minusSeconds(60), true);

    Decision during = decide(web);
    Decision after = policy.decide(restartFinding(web), target(web), history, now.plus(Duration.ofMinutes(15)));

    assertThat(during).isInstanceOf(Decision.Wait.class);
    assertThat(during.rule()).isEqualTo(RemediationRule.POD_COOLDOWN);
    assertThat(((Decision.Wait) during).until()).isEqualTo(now.minusSeconds(60).plus(Duration.ofMinutes(15)));
    assertThat(after.rule()).isEqualTo(RemediationRule.ELIGIBLE);
  }

  @Test
  void pagesAfterTooManyAttemptsOnOneOwnerWithinAnHourButNotForOlderOnes() {
    for (int i = 0; i < 5; i++) {
      history.recordAttempt("shop/web-old-" + i, web.ownerKey(), now.minus(Duration.ofMinutes(50 - i)), true);
    }

    Decision tooMany = decide(web);
    Decision anHourLater = policy.decide(restartFinding(web), target(web), history, now.plus(Duration.ofMinutes(15)));

    assertThat(tooMany).isInstanceOf(Decision.Page.class);
    assertThat(tooMany.rule()).isEqualTo(RemediationRule.OWNER_ATTEMPTS);
    assertThat(tooMany.why()).contains("5 evictions", "ReplicaSet web-rs");
    assertThat(anHourLater.rule()).isEqualTo(RemediationRule.ELIGIBLE);
  }

  @Test
  void holdsTheOwnersNextPodWhileOneIsInFlightUnlessABudgetPacesThem() {
    PodSnapshot sibling = pod("shop", "web-2", "web-rs", "node-a");
    history.putEviction(evicted(sibling, now.minusSeconds(5), EvictionRecord.Status.EVICTED));
    PodSnapshot otherOwner = pod("shop", "cart-1", "cart-rs", "node-a");

    Decision sameOwner = decide(web);
    Decision withBudget = policy.decide(restartFinding(web), target(web, budgetFor(web, "web-pdb")), history, now);
    Decision differentOwner = decide(otherOwner);

    assertThat(sameOwner).isInstanceOf(Decision.Wait.class);
    assertThat(sameOwner.rule()).isEqualTo(RemediationRule.OWNER_IN_FLIGHT);
    assertThat(sameOwner.why()).contains("shop/web-2");
    assertThat(withBudget.rule()).isEqualTo(RemediationRule.ELIGIBLE);
    assertThat(withBudget.why()).contains("web-pdb");
    assertThat(differentOwner.rule()).isEqualTo(RemediationRule.ELIGIBLE);
  }

  @Test
  void aSettledOrDryRunEvictionDoesNotHoldTheOwner() {
    history.putEviction(evicted(pod("shop", "web-2", "web-rs", "n"), now.minusSeconds(300),
        EvictionRecord.Status.SETTLED));

    assertThat(decide(web).rule()).isEqualTo(RemediationRule.ELIGIBLE);
  }

  @Test
  void pausesBetweenEvictionsOfTheSameOwner() {
    history.recordAttempt("shop/web-2", web.ownerKey(), now.minusSeconds(3), true);

    Decision decision = decide(web);

    assertThat(decision.rule()).isEqualTo(RemediationRule.OWNER_COOLDOWN);
    assertThat(((Decision.Wait) decision).until()).isEqualTo(now.plusSeconds(7));
  }

  @Test
  void waitsAtTheGlobalRateLimitUntilTheOldestLeavesTheWindow() {
    RemediationPolicy strict = new RemediationPolicy(config("CHAINWATCH_REMEDIATION_MAX_EVICTIONS_PER_MINUTE", "3"));
    for (int i = 0; i < 3; i++) {
      history.recordAttempt("other/p-" + i, "other/ReplicaSet/o" + i, now.minusSeconds(30 - i), true);
    }

    Decision limited = strict.decide(restartFinding(web), target(web), history, now);
    Decision later = strict.decide(restartFinding(web), target(web), history, now.plusSeconds(31));

    assertThat(limited.rule()).isEqualTo(RemediationRule.RATE_LIMIT);
    assertThat(((Decision.Wait) limited).until()).isEqualTo(now.plusSeconds(30));
    assertThat(later.rule()).isEqualTo(RemediationRule.ELIGIBLE);
  }

  @Test
  void tripsTheBreakerWhenTooManyPodsHaveRestartFindings() {
    RemediationPolicy small = new RemediationPolicy(config("CHAINWATCH_REMEDIATION_BREAKER_MAX_PODS", "3"));
    for (int i = 0; i < 4; i++) {
      history.countRestartFinding("shop/p-" + i, "node-a", now.minusSeconds(i));
    }

    Decision decision = small.decide(restartFinding(web), target(web), history, now);

    assertThat(decision).isInstanceOf(Decision.Page.class);
    assertThat(decision.rule()).isEqualTo(RemediationRule.BLAST_RADIUS);
    assertThat(decision.why()).startsWith("storm: likely a cluster-wide Cilium problem").contains("4 pods");
  }

  @Test
  void doesNotTripOnFindingsOutsideTheWindowOrAtTheLimit() {
    RemediationPolicy small = new RemediationPolicy(config("CHAINWATCH_REMEDIATION_BREAKER_MAX_PODS", "3"));
    for (int i = 0; i < 3; i++) {
      history.countRestartFinding("shop/p-" + i, "node-a", now);
    }
    history.countRestartFinding("shop/old", "node-a", now.minus(Duration.ofMinutes(11)));

    assertThat(small.decide(restartFinding(web), target(web), history, now).rule())
        .isEqualTo(RemediationRule.ELIGIBLE);
  }

  @Test
  void tripsOnTheShareOfNodesOnlyOnceEnoughNodesAreAffected() {
    history.countRestartFinding("shop/a", "node-a", now);
    history.countRestartFinding("shop/b", "node-b", now);
    RemediationTarget smallCluster = new RemediationTarget(web, null, List.of(), 3);

    Decision twoOfThree = policy.decide(restartFinding(web), smallCluster, history, now);
    history.countRestartFinding("shop/c", "node-c", now);
    Decision threeOfTen = policy.decide(restartFinding(web), target(web), history, now);
    Decision threeOfTwenty = policy.decide(restartFinding(web), new RemediationTarget(web, null, List.of(), 20),
        history, now);

    assertThat(twoOfThree.rule()).as("2 nodes is below breaker.minNodes").isEqualTo(RemediationRule.ELIGIBLE);
    assertThat(threeOfTen.rule()).isEqualTo(RemediationRule.BLAST_RADIUS);
    assertThat(threeOfTen.why()).contains("3 of 10 nodes");
    assertThat(threeOfTwenty.rule()).as("15% is below the 20% share").isEqualTo(RemediationRule.ELIGIBLE);
  }

  @Test
  void anOpenBreakerStopsEveryEvictionUntilItCloses() {
    history.openBreaker(new RemediationHistory.BreakerState(now.minusSeconds(10), now.plusSeconds(100), "storm"));

    Decision open = decide(web);
    Decision afterClose = policy.decide(restartFinding(web), target(web), history, now.plusSeconds(100));

    assertThat(open).isInstanceOf(Decision.Skip.class);
    assertThat(open.rule()).isEqualTo(RemediationRule.BREAKER_OPEN);
    assertThat(afterClose.rule()).isEqualTo(RemediationRule.ELIGIBLE);
  }

  @Test
  void retriesABudgetRefusalAfterItsBackoffThenPagesNamingTheBudget() {
    EvictionRecord first = evicted(web, now.minusSeconds(20), EvictionRecord.Status.REQUESTED)
        .refused(now.plusSeconds(10), "web-pdb");
    history.putEviction(first);
    history.recordAttempt("shop/web-1", web.ownerKey(), now.minusSeconds(20), true);

    Decision backingOff = decide(web);
    Decision retry = policy.decide(restartFinding(web), target(web), history, now.plusSeconds(10));
    EvictionRecord exhausted = first;
    for (int i = 0; i < 5; i++) {
      exhausted = exhausted.retried(now).refused(now, "web-pdb");
    }
    history.putEviction(exhausted);
    Decision page = decide(web);

    assertThat(backingOff.rule()).isEqualTo(RemediationRule.BUDGET_BACKOFF);
    assertThat(retry).as("the pod cooldown does not hold a budget retry").isInstanceOf(Decision.Evict.class);
    assertThat(retry.why()).contains("web-pdb", "try 2 of 6");
    assertThat(page).isInstanceOf(Decision.Page.class);
    assertThat(page.rule()).isEqualTo(RemediationRule.BUDGET_EXHAUSTED);
    assertThat(page.why()).contains("PodDisruptionBudget web-pdb", "6 times");
  }

  @Test
  void budgetBackoffDoublesUpToTenMinutes() {
    assertThat(policy.retryAfterRefusal(0, now)).isEqualTo(now.plusSeconds(10));
    assertThat(policy.retryAfterRefusal(1, now)).isEqualTo(now.plusSeconds(20));
    assertThat(policy.retryAfterRefusal(3, now)).isEqualTo(now.plusSeconds(80));
    assertThat(policy.retryAfterRefusal(20, now)).isEqualTo(now.plus(Duration.ofMinutes(10)));
  }

  @Test
  void railsApplyInOrderSoAnOptOutPagesEvenDuringAStorm() {
    history.openBreaker(new RemediationHistory.BreakerState(now, now.plusSeconds(100), "storm"));

    assertThat(decide(optedOut(web)).rule()).isEqualTo(RemediationRule.POD_OPT_OUT);
  }
}

package io.chainwatch.notifier.incident;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.config.NotifiersConfig;
import io.chainwatch.model.BreakerChange;
import io.chainwatch.model.Decision;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingCleared;
import io.chainwatch.model.Incident;
import io.chainwatch.model.IncidentChange;
import io.chainwatch.model.IncidentChange.Kind;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.RemediationDecision;
import io.chainwatch.model.RemediationOutcome;
import io.chainwatch.model.RemediationRule;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IncidentTrackerTest {
  private static final Instant T0 = Instant.parse("2026-11-23T04:00:00Z");
  private final NotifiersConfig.Incidents config = new NotifiersConfig.Incidents(Duration.ofMinutes(2),
      Duration.ofMinutes(15), Duration.ofHours(4), 3, Duration.ofMinutes(5), List.of());
  private final IncidentTracker tracker = new IncidentTracker(config, "prod", TestTexts.TEXTS);

  static Finding race(String pod, String node) {
    return new Finding("missed-cilium-chain", ResourceRef.pod("shop", pod), node, Severity.CRITICAL,
        PlannedAction.RESTART, "no-endpoint", pod + " missed the chain", T0,
        Map.of("podUid", pod + "-uid", "chainRace", true, "actionReason", "its ReplicaSet recreates it"));
  }

  static Finding lone(String pod, String node, PlannedAction action) {
    return new Finding("missed-cilium-chain", ResourceRef.pod("shop", pod), node, Severity.CRITICAL, action,
        "no-endpoint", pod + " runs without an endpoint", T0,
        Map.of("podUid", pod + "-uid", "chainRace", false, "actionReason", "it is a bare pod"));
  }

  private static List<Kind> kinds(List<IncidentChange> changes) {
    return changes.stream().map(IncidentChange::kind).toList();
  }

  @Test
  void racePodsOnOneNodeAreOneIncidentAndOtherPodsTheirOwn() {
    List<IncidentChange> first = tracker.onFinding(race("web-1", "n1"), false, T0);
    List<IncidentChange> second = tracker.onFinding(race("web-2", "n1"), false, T0.plusSeconds(1));
    List<IncidentChange> otherNode = tracker.onFinding(race("web-3", "n2"), false, T0.plusSeconds(2));
    List<IncidentChange> noRace = tracker.onFinding(lone("api-1", "n1", PlannedAction.RESTART), false,
        T0.plusSeconds(3));

    assertThat(kinds(first)).containsExactly(Kind.OPENED);
    assertThat(kinds(second)).containsExactly(Kind.UPDATED);
    assertThat(second.get(0).incident().id()).isEqualTo(first.get(0).incident().id());
    assertThat(second.get(0).incident().title()).isEqualTo("Pods missed the Cilium chain on node n1 (2 pods)");
    assertThat(second.get(0).incident().subjects()).containsExactly("Pod/shop/web-1", "Pod/shop/web-2");
    assertThat(kinds(otherNode)).containsExactly(Kind.OPENED);
    assertThat(otherNode.get(0).incident().id()).isNotEqualTo(first.get(0).incident().id());
    assertThat(kinds(noRace)).containsExactly(Kind.OPENED);
    assertThat(noRace.get(0).incident().rootKey()).isEqualTo("missed-cilium-chain:Pod/shop/api-1");
    assertThat(tracker.unresolved()).hasSize(3);
  }

  @Test
  void aNodeFindingGroupsWithThatNodesRacePods() {
    Finding nodeLevel = new Finding("missed-cilium-chain", ResourceRef.node("n1"), "n1", Severity.CRITICAL,
        PlannedAction.PAGE, "agent-not-ready", "agent not Ready", T0, Map.of("actionReason", "agent down"));
    String id = tracker.onFinding(race("web-1", "n1"), false, T0).get(0).incident().id();

    List<IncidentChange> changes = tracker.onFinding(nodeLevel, false, T0.plusSeconds(5));

    assertThat(changes.get(0).incident().id()).isEqualTo(id);
    assertThat(kinds(changes)).containsExactly(Kind.UPDATED, Kind.ESCALATED);
    assertThat(changes.get(1).incident().state()).isEqualTo(Incident.State.ESCALATED);
    assertThat(changes.get(1).mention()).isTrue();
    assertThat(changes.get(1).text()).contains("agent down");
  }

  @Test
  void resolvesOnlyAfterTheQuietPeriodAndAReturnWithinTheFlapWindowReopensTheSameIncident() {
    Finding web = race("web-1", "n1");
    String id = tracker.onFinding(web, false, T0).get(0).incident().id();
    tracker.onCleared(new FindingCleared(web, T0.plusSeconds(10)), T0.plusSeconds(10));

    List<IncidentChange> early = tracker.tick(T0.plusSeconds(10 + 119));
    List<IncidentChange> resolved = tracker.tick(T0.plusSeconds(10 + 120));
    List<IncidentChange> back = tracker.onFinding(web, false, T0.plusSeconds(10 + 120 + 600));

    assertThat(early).isEmpty();
    assertThat(kinds(resolved)).containsExactly(Kind.RESOLVED);
    assertThat(resolved.get(0).incident().resolvedAt()).isEqualTo(T0.plusSeconds(130));
    assertThat(kinds(back)).containsExactly(Kind.REOPENED);
    assertThat(back.get(0).incident().id()).isEqualTo(id);
    assertThat(back.get(0).incident().state()).isEqualTo(Incident.State.OPEN);
  }

  @Test
  void aFindingThatReturnsWithinTheQuietPeriodKeepsTheIncidentOpen() {
    Finding web = race("web-1", "n1");
    tracker.onFinding(web, false, T0);
    tracker.onCleared(new FindingCleared(web, T0.plusSeconds(10)), T0.plusSeconds(10));
    tracker.onFinding(web, false, T0.plusSeconds(60));

    assertThat(tracker.tick(T0.plusSeconds(500))).isEmpty();
    assertThat(tracker.unresolved()).hasSize(1);
  }

  @Test
  void aReturnAfterTheFlapWindowIsANewIncident() {
    Finding web = race("web-1", "n1");
    String id = tracker.onFinding(web, false, T0).get(0).incident().id();
    tracker.onCleared(new FindingCleared(web, T0), T0);
    tracker.tick(T0.plusSeconds(120));

    tracker.tick(T0.plusSeconds(120 + 901));
    List<IncidentChange> again = tracker.onFinding(web, false, T0.plusSeconds(120 + 902));

    assertThat(kinds(again)).containsExactly(Kind.OPENED);
    assertThat(again.get(0).incident().id()).isNotEqualTo(id);
  }

  @Test
  void silencedIncidentsAreTrackedButDoNotPage() {
    List<IncidentChange> changes = tracker.onFinding(lone("api-1", "n1", PlannedAction.PAGE), true, T0);

    assertThat(kinds(changes)).containsExactly(Kind.OPENED, Kind.ESCALATED);
    assertThat(changes).allMatch(change -> !change.pages() && !change.mention());
    assertThat(changes.get(0).incident().silenced()).isTrue();
  }

  @Test
  void reNotifiesAnUnresolvedCriticalIncidentAtTheInterval() {
    tracker.onFinding(lone("api-1", "n1", PlannedAction.PAGE), false, T0);

    assertThat(tracker.tick(T0.plus(Duration.ofHours(4)).minusSeconds(1))).isEmpty();
    List<IncidentChange> renotified = tracker.tick(T0.plus(Duration.ofHours(4)));
    assertThat(kinds(renotified)).containsExactly(Kind.RENOTIFY);
    assertThat(renotified.get(0).mention()).isTrue();
    assertThat(tracker.tick(T0.plus(Duration.ofHours(5)))).isEmpty();
  }

  @Test
  void aStormFoldsIncidentsBeyondTheThresholdIntoOneDigest() {
    List<IncidentChange> changes = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      changes.addAll(tracker.onFinding(race("web-" + i, "node-" + i), false, T0.plusSeconds(i)));
    }

    assertThat(kinds(changes)).containsExactly(Kind.OPENED, Kind.OPENED, Kind.OPENED, Kind.DIGEST, Kind.DIGEST,
        Kind.DIGEST);
    IncidentChange last = changes.get(5);
    assertThat(last.digest()).hasSize(3);
    assertThat(last.incident().id()).isEqualTo(changes.get(3).incident().id());
    assertThat(last.text()).contains("more than 3 incidents").contains("; 3 incidents were folded into this message");
    assertThat(tracker.onFinding(race("web-9", "node-4"), false, T0.plusSeconds(10)).get(0).pages())
        .as("a folded incident stays folded").isFalse();
  }

  @Test
  void aNodeGroupOpenedByTheTaintFindingIsTitledByItUntilAPodMissesTheChain() {
    Finding taint = new Finding("missing-agent-not-ready-taint", ResourceRef.node("n1"), "n1", Severity.WARNING,
        PlannedAction.PAGE, "no-taint", "n1 joined without the taint", T0,
        Map.of(io.chainwatch.model.FindingFacts.INCIDENT_GROUP, "missed-cilium-chain"));

    List<IncidentChange> opened = tracker.onFinding(taint, false, T0);
    assertThat(opened.get(0).incident().title()).isEqualTo("Node joined without the agent-not-ready taint on node n1");

    List<IncidentChange> joined = tracker.onFinding(race("web-1", "n1"), false, T0.plusSeconds(1));
    assertThat(joined.get(0).incident().id()).isEqualTo(opened.get(0).incident().id());
    assertThat(joined.get(0).incident().title()).isEqualTo("Pods missed the Cilium chain on node n1 (1 pod)");
  }

  @Test
  void anEscalationReplacesTheActionLineOfTheAttemptItEnds() {
    Finding web = race("web-1", "n1");
    tracker.onFinding(web, false, T0);
    tracker.onDecision(new RemediationDecision(web, new Decision.Evict(RemediationRule.ELIGIBLE, "evict it"), false,
        T0), T0);

    List<IncidentChange> failed = tracker.onOutcome(new RemediationOutcome(web, RemediationOutcome.Result.FAILED,
        "403 forbidden", Map.of(), T0.plusSeconds(1)), T0.plusSeconds(1));

    Incident escalated = failed.get(failed.size() - 1).incident();
    assertThat(escalated.state()).isEqualTo(Incident.State.ESCALATED);
    assertThat(escalated.action()).isEqualTo("chainwatch stopped acting on it: a person decides now")
        .doesNotContain("evicting");
  }

  @Test
  void evidenceReadsAsAPersonWritesItNotAsJavaMaps() {
    assertThat(IncidentTracker.readable(new java.util.LinkedHashMap<>(Map.of("value", 1)))).isEqualTo("value: 1");
    java.util.Map<String, Object> rp = new java.util.LinkedHashMap<>();
    rp.put("value", 1);
    rp.put("effective", 2);
    assertThat(IncidentTracker.readable(rp)).isEqualTo("value: 1, effective: 2");
    assertThat(IncidentTracker.readable(List.of("eth0", Map.of("lxc1", 2)))).isEqualTo("eth0, (lxc1: 2)");
    assertThat(IncidentTracker.readable("as is")).isEqualTo("as is");
  }

  @Test
  void evictionsMakeItActingOutcomesAreNotedAndPagesOrFailuresEscalate() {
    Finding web = race("web-1", "n1");
    tracker.onFinding(web, false, T0);

    List<IncidentChange> acting = tracker.onDecision(new RemediationDecision(web,
        new Decision.Evict(RemediationRule.ELIGIBLE, "evict it"), false, T0), T0);
    List<IncidentChange> skipped = tracker.onDecision(new RemediationDecision(web,
        new Decision.Skip(RemediationRule.ALREADY_EVICTED, "done"), false, T0), T0);
    List<IncidentChange> waiting = tracker.onDecision(new RemediationDecision(web,
        new Decision.Wait(RemediationRule.OWNER_IN_FLIGHT, "one at a time", T0.plusSeconds(9)), false, T0), T0);
    List<IncidentChange> verified = tracker.onOutcome(new RemediationOutcome(web,
        RemediationOutcome.Result.VERIFIED, "shop/web-9 replaced shop/web-1", Map.of(), T0), T0);
    List<IncidentChange> failed = tracker.onOutcome(new RemediationOutcome(web,
        RemediationOutcome.Result.NOT_HELPED, "restart did not help", Map.of(), T0), T0);

    assertThat(kinds(acting)).containsExactly(Kind.ACTING);
    assertThat(acting.get(0).incident().state()).isEqualTo(Incident.State.ACTING);
    assertThat(skipped).isEmpty();
    assertThat(waiting).isEmpty();
    assertThat(kinds(verified)).containsExactly(Kind.REPLY);
    assertThat(verified.get(0).incident().action()).contains("shop/web-9 replaced");
    assertThat(kinds(failed)).containsExactly(Kind.ESCALATED);
    assertThat(failed.get(0).incident().needsPerson()).contains("restart did not help");
  }

  @Test
  void theBreakerIsItsOwnCriticalIncidentResolvedWhenItCloses() {
    List<IncidentChange> open = tracker.onBreaker(new BreakerChange(true, "storm: 200 pods", Map.of("podsCounted",
        200), T0, T0.plusSeconds(3600)), T0);
    List<IncidentChange> closed = tracker.onBreaker(new BreakerChange(false, "reset by a person", Map.of(),
        T0.plusSeconds(60), null), T0.plusSeconds(60));

    assertThat(kinds(open)).containsExactly(Kind.OPENED);
    assertThat(open.get(0).mention()).isTrue();
    assertThat(open.get(0).incident().state()).isEqualTo(Incident.State.ESCALATED);
    assertThat(kinds(closed)).containsExactly(Kind.RESOLVED);
    assertThat(tracker.unresolved()).isEmpty();
  }

  @Test
  void recordsOfAnIncidentShareItsIdAsKafkaKey() {
    Finding web = race("web-1", "n1");
    String id = tracker.onFinding(web, false, T0).get(0).incident().id();

    assertThat(tracker.incidentIdFor(web)).isEqualTo(id);
    assertThat(tracker.incidentIdFor(race("web-2", "n1"))).isEqualTo(id);
    assertThat(id).startsWith("prod-").endsWith("-" + T0.getEpochSecond());
  }

  @Test
  void aRestartContinuesTheSameIncidentAndResolvesOnesWhoseFindingsDidNotReturn() {
    String kept = tracker.onFinding(race("web-1", "n1"), false, T0).get(0).incident().id();
    tracker.onFinding(race("api-1", "n2"), false, T0);
    IncidentTracker restarted = new IncidentTracker(config, "prod", TestTexts.TEXTS);
    restarted.restore(tracker.export(), T0.plusSeconds(600));

    List<IncidentChange> again = restarted.onFinding(race("web-1", "n1"), false, T0.plusSeconds(605));
    List<IncidentChange> later = restarted.tick(T0.plusSeconds(600 + 120));

    assertThat(kinds(again)).containsExactly(Kind.UPDATED);
    assertThat(again.get(0).incident().id()).isEqualTo(kept);
    assertThat(kinds(later)).containsExactly(Kind.RESOLVED);
    assertThat(later.get(0).incident().subjects()).containsExactly("Pod/shop/api-1");
  }

  static Finding warning(String pod, String node, PlannedAction action, Severity severity) {
    return new Finding("endpoint-stuck", ResourceRef.pod("shop", pod), node, severity, action, "not-ready",
        pod + " endpoint stuck", T0, Map.of("podUid", pod + "-uid"));
  }

  @Test
  void anAcknowledgementStopsReNotificationAndASecondClickChangesNothing() {
    String id = tracker.onFinding(race("web-1", "n1"), false, T0).get(0).incident().id();

    var acknowledged = tracker.acknowledge(id, "<@U1>", T0.plusSeconds(10));
    var again = tracker.acknowledge(id, "<@U2>", T0.plusSeconds(11));

    assertThat(acknowledged).hasValueSatisfying(change -> {
      assertThat(change.text()).isEqualTo("acknowledged by <@U1>: no more re-notification");
      assertThat(change.pages()).isTrue();
    });
    assertThat(again).as("a second acknowledgement").isEmpty();
    assertThat(tracker.personState(id).acknowledgedBy()).isEqualTo("<@U1>");
    assertThat(kinds(tracker.tick(T0.plus(Duration.ofHours(5))))).as("no re-notification").isEmpty();
    assertThat(tracker.acknowledge("unknown", "<@U1>", T0)).isEmpty();
  }

  @Test
  void withoutAcknowledgementACriticalIncidentIsReNotified() {
    tracker.onFinding(race("web-1", "n1"), false, T0);

    assertThat(kinds(tracker.tick(T0.plus(Duration.ofHours(5))))).containsExactly(Kind.RENOTIFY);
  }

  @Test
  void aSilenceFromTheMessageHoldsItsChangesBackUntilItEnds() {
    String id = tracker.onFinding(warning("web-1", "n1", PlannedAction.RESTART, Severity.WARNING), false, T0).get(0)
        .incident().id();

    var silenced = tracker.silence(id, Duration.ofHours(1), "<@U1>", T0.plusSeconds(10));
    List<IncidentChange> during = tracker.onFinding(warning("web-1", "n1", PlannedAction.RESTART, Severity.WARNING),
        false, T0.plusSeconds(20));

    assertThat(silenced).hasValueSatisfying(change -> assertThat(change.pages()).as("the note itself is seen")
        .isTrue());
    assertThat(during).isNotEmpty().allSatisfy(change -> assertThat(change.pages()).isFalse());
    assertThat(tracker.personState(id).silencedUntil()).isEqualTo(T0.plusSeconds(10).plus(Duration.ofHours(1)));

    List<IncidentChange> ended = tracker.tick(T0.plusSeconds(10).plus(Duration.ofHours(1)));
    assertThat(ended).extracting(IncidentChange::text).contains("silence by <@U1> ended");
    assertThat(tracker.onFinding(warning("web-1", "n1", PlannedAction.RESTART, Severity.WARNING), false,
        T0.plus(Duration.ofHours(2)))).allSatisfy(change -> assertThat(change.pages()).isTrue());
  }

  @Test
  void aSilenceEndsEarlyWhenTheIncidentBecomesCritical() {
    Finding web = warning("web-1", "n1", PlannedAction.RESTART, Severity.WARNING);
    String id = tracker.onFinding(web, false, T0).get(0).incident().id();
    tracker.silence(id, Duration.ofHours(24), "<@U1>", T0.plusSeconds(10));

    List<IncidentChange> worse = tracker.onFinding(warning("web-1", "n1", PlannedAction.RESTART, Severity.CRITICAL),
        false, T0.plusSeconds(30));

    assertThat(worse).extracting(IncidentChange::text).contains("silence by <@U1> ended early: the incident became "
        + "critical");
    assertThat(worse).allSatisfy(change -> assertThat(change.pages()).isTrue());
    assertThat(tracker.personState(id).silencedUntil()).isNull();
  }

  @Test
  void aSilenceOfACriticalIncidentEndsEarlyWhenItEscalatesButNotOnMoreOfTheSame() {
    String id = tracker.onFinding(race("web-1", "n1"), false, T0).get(0).incident().id();
    tracker.silence(id, Duration.ofHours(4), "<@U1>", T0.plusSeconds(10));

    List<IncidentChange> same = tracker.onFinding(race("web-2", "n1"), false, T0.plusSeconds(20));
    assertThat(same).as("must not page: more of the same while silenced")
        .allSatisfy(change -> assertThat(change.pages()).isFalse());

    List<IncidentChange> escalated = tracker.onDecision(new RemediationDecision(race("web-2", "n1"),
        new Decision.Page(RemediationRule.NO_OWNER, "bare pod"), false, T0.plusSeconds(30)), T0.plusSeconds(30));
    assertThat(escalated).singleElement().satisfies(change -> {
      assertThat(change.kind()).isEqualTo(Kind.ESCALATED);
      assertThat(change.pages()).isTrue();
    });
    assertThat(tracker.personState(id).silencedBy()).isNull();
  }

  @Test
  void acknowledgementsAndSilencesSurviveARestart() {
    String id = tracker.onFinding(race("web-1", "n1"), false, T0).get(0).incident().id();
    tracker.acknowledge(id, "<@U1>", T0.plusSeconds(1));
    tracker.silence(id, Duration.ofHours(4), "<@U2>", T0.plusSeconds(2));

    IncidentTracker restarted = new IncidentTracker(config, "prod", TestTexts.TEXTS);
    restarted.restore(tracker.export(), T0.plusSeconds(3));

    assertThat(restarted.personState(id)).isEqualTo(tracker.personState(id));
    assertThat(restarted.personState(id).acknowledgedBy()).isEqualTo("<@U1>");
  }



  @Test
  void aStormsIncidentsThatComeDueInOneTickAreEachResolvedOnce() {
    int pods = 5_000;
    for (int i = 0; i < pods; i++) {
      tracker.onFinding(lone("api-" + i, null, PlannedAction.RESTART), false, T0);
      tracker.onCleared(new FindingCleared(lone("api-" + i, null, PlannedAction.RESTART), T0.plusSeconds(1)),
          T0.plusSeconds(1));
    }

    List<IncidentChange> resolved = tracker.tick(T0.plus(Duration.ofMinutes(3)));

    assertThat(resolved).hasSize(pods).allMatch(change -> change.kind() == Kind.RESOLVED);
    assertThat(resolved.stream().map(change -> change.incident().id()).distinct()).hasSize(pods);
    assertThat(resolved.get(0).incident().subjects()).as("in the order they opened").containsExactly("Pod/shop/api-0");
    assertThat(tracker.unresolvedCount()).isZero();
    assertThat(tracker.tick(T0.plus(Duration.ofMinutes(4)))).isEmpty();
  }
  @Test
  void aResolvedIncidentIsTrackedUntilItsFlapWindowEnds() {
    String id = tracker.onFinding(lone("api-1", "n1", PlannedAction.RESTART), false, T0).get(0).incident().id();
    tracker.onCleared(new FindingCleared(lone("api-1", "n1", PlannedAction.RESTART), T0), T0);

    assertThat(kinds(tracker.tick(T0.plus(Duration.ofMinutes(2))))).containsExactly(Kind.RESOLVED);
    assertThat(tracker.tracks(id)).isTrue();
    assertThat(tracker.tracked()).isEqualTo(1);
    assertThat(tracker.unresolvedCount()).isZero();
    assertThat(tracker.tick(T0.plus(Duration.ofMinutes(17)))).isEmpty();
    assertThat(tracker.tracks(id)).as("exactly at the window's end it is kept").isTrue();
    assertThat(tracker.tick(T0.plus(Duration.ofMinutes(17)).plusMillis(1))).isEmpty();
    assertThat(tracker.tracks(id)).isFalse();
    assertThat(tracker.tracked()).isZero();
  }
  /**
   * Against a model of what a tick owes: 200 pods, each its own incident, random findings, clears and ticks at random
   * times (deadlines pass between ticks, several come due in one). Every tick reports exactly the resolutions and
   * re-notifications that are due and nothing else, and the count of unresolved incidents stays exact.
   */
  @Test
  void eachTickReportsExactlyWhatIsDueAmongManyIncidents() {
    IncidentTracker many = new IncidentTracker(new NotifiersConfig.Incidents(Duration.ofMinutes(2),
        Duration.ofMinutes(15), Duration.ofHours(4), 1_000_000, Duration.ofMinutes(5), List.of()), "prod",
        TestTexts.TEXTS);
    final class Model {
      String id;
      boolean open;
      Instant clearedAt;
      Instant resolvedAt;
      Instant lastNotifiedAt;
    }
    java.util.Map<String, Model> pods = new java.util.HashMap<>();
    java.util.Random random = new java.util.Random(19);
    Instant now = T0;
    int resolvedSeen = 0;
    int renotifiedSeen = 0;
    for (int step = 0; step < 4_000; step++) {
      now = now.plusSeconds(1 + random.nextInt(40));
      String pod = "p-" + random.nextInt(200);
      Model m = pods.computeIfAbsent(pod, p -> new Model());
      int op = random.nextInt(10);
      if (op < 4 && !m.open) {
        List<IncidentChange> changes = many.onFinding(lone(pod, null, PlannedAction.RESTART), false, now);
        boolean fresh = m.id == null || (m.resolvedAt != null && now.isAfter(m.resolvedAt.plus(Duration.ofMinutes(15))));
        assertThat(kinds(changes)).as("step %d %s", step, pod)
            .containsExactly(fresh ? Kind.OPENED : m.resolvedAt != null ? Kind.REOPENED : Kind.UPDATED);
        if (fresh) {
          m.id = changes.get(0).incident().id();
          m.lastNotifiedAt = now;
        }
        assertThat(changes.get(0).incident().id()).isEqualTo(m.id);
        m.open = true;
        m.clearedAt = null;
        m.resolvedAt = null;
      } else if (op < 7 && m.open) {
        many.onCleared(new FindingCleared(lone(pod, null, PlannedAction.RESTART), now), now);
        m.open = false;
        m.clearedAt = now;
      } else if (op >= 7) {
        List<String> expected = new java.util.ArrayList<>();
        for (Model each : pods.values()) {
          if (each.id == null || each.resolvedAt != null) {
            continue;
          }
          if (!each.open && !now.isBefore(each.clearedAt.plus(Duration.ofMinutes(2)))) {
            expected.add("resolved " + each.id);
            each.resolvedAt = now;
          } else if (each.open && !now.isBefore(each.lastNotifiedAt.plus(Duration.ofHours(4)))) {
            expected.add("renotify " + each.id);
            each.lastNotifiedAt = now;
          }
        }
        List<String> reported = many.tick(now).stream().map(change -> (change.kind() == Kind.RESOLVED ? "resolved "
            : change.kind() == Kind.RENOTIFY ? "renotify " : change.kind() + " ") + change.incident().id()).toList();
        assertThat(reported).as("tick at step %d", step).containsExactlyInAnyOrderElementsOf(expected);
        resolvedSeen += (int) reported.stream().filter(r -> r.startsWith("resolved")).count();
        renotifiedSeen += (int) reported.stream().filter(r -> r.startsWith("renotify")).count();
      }
      long unresolved = pods.values().stream().filter(each -> each.id != null && each.resolvedAt == null).count();
      assertThat(many.unresolvedCount()).as("step %d", step).isEqualTo(unresolved)
          .isEqualTo(many.unresolved().size());
    }
    assertThat(resolvedSeen).as("the walk resolves many").isGreaterThan(200);
    assertThat(renotifiedSeen).as("and re-notifies some").isPositive();
  }
}

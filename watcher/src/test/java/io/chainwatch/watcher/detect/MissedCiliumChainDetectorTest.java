package io.chainwatch.watcher.detect;

import static io.chainwatch.watcher.Fixtures.T0;
import static io.chainwatch.watcher.Fixtures.agent;
import static io.chainwatch.watcher.Fixtures.at;
import static io.chainwatch.watcher.Fixtures.ciliumConfig;
import static io.chainwatch.watcher.Fixtures.endpoint;
import static io.chainwatch.watcher.Fixtures.endpointOf;
import static io.chainwatch.watcher.Fixtures.namespace;
import static io.chainwatch.watcher.Fixtures.node;
import static io.chainwatch.watcher.Fixtures.pod;
import static io.chainwatch.watcher.Fixtures.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.config.MissedChainConfig;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.Finding;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.view.ClusterState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MissedCiliumChainDetectorTest {
  private static final MissedCiliumChainDetector DETECTOR =
      new MissedCiliumChainDetector(new MissedChainConfig(Duration.ofSeconds(30), Duration.ofSeconds(30)));

  /** Agent Ready at T0+60 s on node-1; evaluation at T0+300 s unless a case says otherwise. */
  private static final Instant AGENT_READY = at(60);
  private static final Instant NOW = at(300);

  private static List<Snapshot> cluster(Snapshot... extra) {
    List<Snapshot> all = new ArrayList<>(List.of(node("node-1"), agent("node-1", AGENT_READY).build()));
    all.addAll(List.of(extra));
    return all;
  }

  private static List<Finding> podFindings(List<Snapshot> snapshots, PodSnapshot pod, Instant now) {
    ClusterState state = view(snapshots.toArray(Snapshot[]::new));
    return DETECTOR.evaluate(pod.ref(), state, now).findings();
  }

  static Stream<Arguments> mustNotReport() {
    PodSnapshot young = pod("shop", "young").started(at(290)).build();
    PodSnapshot withEndpoint = pod("shop", "fine").build();
    PodSnapshot upgraded = pod("shop", "old-timer").started(T0.minusSeconds(86_400)).build();
    return Stream.of(
        Arguments.of("hostNetwork pod", cluster(), pod("shop", "h").hostNetwork().build(), NOW),
        Arguments.of("pod younger than minPodAge", cluster(), young, NOW),
        Arguments.of("Succeeded pod", cluster(), pod("shop", "done").phase("Succeeded").build(), NOW),
        Arguments.of("Failed pod", cluster(), pod("shop", "failed").phase("Failed").build(), NOW),
        Arguments.of("Pending pod", cluster(), pod("shop", "pending").phase("Pending").build(), NOW),
        Arguments.of("terminating pod", cluster(), pod("shop", "bye").terminating().build(), NOW),
        Arguments.of("pod with its own endpoint", cluster(endpointOf(withEndpoint)), withEndpoint, NOW),
        Arguments.of("node without a Cilium agent pod",
            List.of(node("node-2")), pod("shop", "elsewhere").node("node-2").build(), NOW),
        Arguments.of("agent label in another namespace is not an agent",
            List.of(node("node-1"), pod("monitoring", "fake-agent").label("k8s-app", "cilium")
                .ready(true, T0).build()), pod("shop", "p").build(), NOW),
        Arguments.of("agent not Ready",
            List.of(node("node-1"), agent("node-1", AGENT_READY).ready(false, at(100)).build()),
            pod("shop", "p").build(), NOW),
        Arguments.of("agent Ready for less than agentSettle", cluster(), pod("shop", "p").build(), at(80)),
        Arguments.of("endpoint CRD disabled",
            cluster(ciliumConfig("disable-endpoint-crd", "true")), pod("shop", "p").build(), NOW),
        Arguments.of("agent upgrade: agent Ready again recently, pod keeps its endpoint",
            List.of(node("node-1"), agent("node-1", at(280)).build(), endpointOf(upgraded)), upgraded, NOW),
        Arguments.of("endpoint without pod owner references cannot be attributed",
            cluster(endpoint("shop", "p")), pod("shop", "p").build(), NOW),
        Arguments.of("the Cilium agent pod itself, even if not hostNetwork", cluster(),
            agent("node-1", AGENT_READY).build(), NOW),
        Arguments.of("terminating agent is the only Ready one",
            List.of(node("node-1"), agent("node-1", AGENT_READY).terminating().build()), pod("shop", "p").build(),
            NOW));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mustNotReport")
  void doesNotReport(String description, List<Snapshot> snapshots, PodSnapshot pod, Instant now) {
    List<Snapshot> all = new ArrayList<>(snapshots);
    all.add(pod);

    assertThat(podFindings(all, pod, now)).isEmpty();
  }

  @Test
  void afterAnAgentUpgradeTheRaceIsJudgedAgainstTheFirstReadyNotTheNewAgent() {
    // Cilium first ran on node-1 at T0+10s (its CiliumNode); the agent pod was replaced at T0+200s (an upgrade)
    List<Snapshot> upgraded = new ArrayList<>(List.of(node("node-1"),
        new io.chainwatch.model.CiliumNodeSnapshot("node-1", at(10)), agent("node-1", at(220)).build()));
    PodSnapshot early = pod("shop", "early").started(T0).build();
    PodSnapshot between = pod("shop", "between").started(at(100)).build();
    upgraded.add(early);
    upgraded.add(between);
    Instant later = at(600);

    assertThat(podFindings(upgraded, early, later)).singleElement().satisfies(f -> {
      assertThat(f.evidence()).containsEntry("chainRace", true).containsEntry("secondsBeforeAgentReady", 10L)
          .containsEntry("agentFirstReadyAt", at(10).toString());
      assertThat(f.summary()).contains("started 10 s before cilium-agent was first Ready on node node-1");
    });
    assertThat(podFindings(upgraded, between, later)).singleElement().satisfies(f -> {
      assertThat(f.evidence()).containsEntry("chainRace", false);
      assertThat(f.summary()).contains("without Cilium although cilium-agent has been Ready there since "
          + at(10));
    });
  }

  @Test
  void reportsThePodThatStartedBeforeTheAgentWasReadyAsTheChainRace() {
    PodSnapshot racer = pod("shop", "api-0").started(T0).build();

    List<Finding> findings = podFindings(cluster(racer), racer, NOW);

    assertThat(findings).singleElement().satisfies(finding -> {
      assertThat(finding.detectorId()).isEqualTo("missed-cilium-chain");
      assertThat(finding.resource()).isEqualTo(ResourceRef.pod("shop", "api-0"));
      assertThat(finding.node()).isEqualTo("node-1");
      assertThat(finding.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(finding.action()).isEqualTo(PlannedAction.RESTART);
      assertThat(finding.reason()).isEqualTo("no-endpoint");
      assertThat(finding.summary()).startsWith(
          "Pod shop/api-0 started 1 min before cilium-agent was first Ready on node node-1: the CNI-chain race;");
      assertThat(finding.evidence())
          .containsEntry("chainRace", true)
          .containsEntry("secondsBeforeAgentReady", 60L)
          .containsEntry("podStartedAt", T0.toString())
          .containsEntry("agentReadySince", AGENT_READY.toString())
          .containsEntry("ciliumAgent", "kube-system/cilium-node-1")
          .containsEntry("ciliumEndpoint", "missing")
          .containsEntry("owner", "ReplicaSet/api-0-rs");
    });
  }

  @Test
  void reportsAPodThatStartedAfterTheAgentWithHowLongItRanWithoutAnEndpoint() {
    PodSnapshot late = pod("shop", "late").started(at(120)).build();

    List<Finding> findings = podFindings(cluster(late), late, at(420));

    assertThat(findings).singleElement().satisfies(finding -> {
      assertThat(finding.summary()).startsWith("Pod shop/late has run for 5 min on node node-1 without Cilium");
      assertThat(finding.evidence()).containsEntry("chainRace", false).doesNotContainKey("secondsBeforeAgentReady");
    });
  }

  @Test
  void reportsAStaleEndpointLeftByAnEarlierPodOfTheSameName() {
    PodSnapshot statefulPod = pod("db", "pg-0").uid("new-uid").owner("StatefulSet", "pg").build();

    List<Finding> findings = podFindings(cluster(statefulPod, endpoint("db", "pg-0", "old-uid")), statefulPod, NOW);

    assertThat(findings).singleElement().satisfies(finding -> {
      assertThat(finding.reason()).isEqualTo("stale-endpoint");
      assertThat(finding.action()).isEqualTo(PlannedAction.RESTART);
      assertThat(finding.summary()).contains("belongs to an earlier pod of the same name (UID old-uid)");
      assertThat(finding.evidence()).containsEntry("ciliumEndpoint", "owned by another pod UID old-uid");
    });
  }

  @Test
  void reportsExactlyAtTheEndOfBothGracePeriods() {
    PodSnapshot racer = pod("shop", "api-0").started(T0).build();

    assertThat(podFindings(cluster(racer), racer, AGENT_READY.plusSeconds(30))).hasSize(1);
    assertThat(podFindings(cluster(racer), racer, AGENT_READY.plusSeconds(29))).isEmpty();
  }

  @Test
  void asksToBeCalledBackWhenTheLaterGracePeriodEnds() {
    PodSnapshot young = pod("shop", "young").started(at(100)).build();
    ClusterState state = view(cluster(young).toArray(Snapshot[]::new));

    Evaluation evaluation = DETECTOR.evaluate(young.ref(), state, at(85));

    assertThat(evaluation.findings()).isEmpty();
    assertThat(evaluation.recheckAt()).isEqualTo(at(130)); // pod age (100+30) is later than agent settle (60+30)
  }

  static Stream<Arguments> plannedActions() {
    return Stream.of(
        Arguments.of("ReplicaSet pod", pod("shop", "p").build(), false, PlannedAction.RESTART, "ReplicaSet p-rs"),
        Arguments.of("StatefulSet pod", pod("shop", "p").owner("StatefulSet", "db").build(), false,
            PlannedAction.RESTART, "StatefulSet db"),
        Arguments.of("DaemonSet pod", pod("shop", "p").owner("DaemonSet", "ds").build(), false,
            PlannedAction.RESTART, "DaemonSet ds"),
        Arguments.of("ReplicationController pod", pod("shop", "p").owner("ReplicationController", "rc").build(),
            false, PlannedAction.RESTART, "ReplicationController rc"),
        Arguments.of("bare pod", pod("shop", "p").bare().build(), false, PlannedAction.PAGE, "bare pod"),
        Arguments.of("Job pod", pod("shop", "p").owner("Job", "backup").build(), false, PlannedAction.PAGE,
            "Job/backup does not recreate"),
        Arguments.of("pod opted out", pod("shop", "p").remediationDisabled().build(), false, PlannedAction.PAGE,
            "the pod is annotated chainwatch.io/remediation: disabled"),
        Arguments.of("namespace opted out", pod("shop", "p").build(), true, PlannedAction.PAGE,
            "namespace shop is annotated chainwatch.io/remediation: disabled"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plannedActions")
  void plansARestartOnlyWhenAControllerRecreatesThePodAndNobodyOptedOut(
      String description, PodSnapshot pod, boolean namespaceOptOut, PlannedAction expected, String why) {
    List<Snapshot> snapshots = cluster(pod, namespace("shop", namespaceOptOut));

    assertThat(podFindings(snapshots, pod, NOW)).singleElement().satisfies(finding -> {
      assertThat(finding.action()).isEqualTo(expected);
      assertThat((String) finding.evidence().get("actionReason")).contains(why);
    });
  }

  @Test
  void pagesOnceForANodeWhoseAgentStaysNotReadyWhilePodsLackEndpoints() {
    List<Snapshot> snapshots = List.of(node("node-1"),
        agent("node-1", AGENT_READY).ready(false, at(100)).build(),
        pod("shop", "a").build(), pod("shop", "b").build(), pod("shop", "c").hostNetwork().build());
    ClusterState state = view(snapshots.toArray(Snapshot[]::new));

    Evaluation evaluation = DETECTOR.evaluate(ResourceRef.node("node-1"), state, NOW);

    assertThat(evaluation.findings()).singleElement().satisfies(finding -> {
      assertThat(finding.resource()).isEqualTo(ResourceRef.node("node-1"));
      assertThat(finding.action()).isEqualTo(PlannedAction.PAGE);
      assertThat(finding.reason()).isEqualTo("agent-not-ready");
      assertThat(finding.evidence()).containsEntry("podsWithoutEndpoint", 2)
          .containsEntry("pods", List.of("shop/a", "shop/b"));
      assertThat(finding.summary()).contains("restarting them cannot help until the agent is Ready");
    });
  }

  @Test
  void doesNotPageForANodeWhileItsAgentIsBrieflyNotReadyOrWhenEveryPodHasItsEndpoint() {
    PodSnapshot a = pod("shop", "a").build();
    ClusterState restarting = view(node("node-1"), agent("node-1", AGENT_READY).ready(false, at(290)).build(), a);
    ClusterState intact = view(node("node-1"), agent("node-1", AGENT_READY).ready(false, at(100)).build(), a,
        endpointOf(a));
    ClusterState healthy = view(cluster(a).toArray(Snapshot[]::new));

    assertThat(DETECTOR.evaluate(ResourceRef.node("node-1"), restarting, NOW))
        .isEqualTo(Evaluation.recheckAt(at(320)));
    assertThat(DETECTOR.evaluate(ResourceRef.node("node-1"), intact, NOW).findings()).isEmpty();
    assertThat(DETECTOR.evaluate(ResourceRef.node("node-1"), healthy, NOW).findings()).isEmpty();
  }

  @Test
  void isInactiveAndSaysWhyWhenTheEndpointCrdIsDisabled() {
    ClusterState state = view(cluster(ciliumConfig("disable-endpoint-crd", "true"), pod("shop", "p").build())
        .toArray(Snapshot[]::new));

    assertThat(DETECTOR.inactiveReason(state)).hasValueSatisfying(reason ->
        assertThat(reason).contains("disable-endpoint-crd").contains("a missing one proves nothing"));
    assertThat(DETECTOR.detectAll(state, NOW)).isEmpty();
    assertThat(DETECTOR.inactiveReason(view(ciliumConfig("disable-endpoint-crd", "false")))).isEmpty();
  }

  @Test
  void detectAllReportsOnlyTheRacePodsOfAMixedNode() {
    PodSnapshot racer1 = pod("shop", "racer-1").started(T0).build();
    PodSnapshot racer2 = pod("shop", "racer-2").started(at(10)).build();
    PodSnapshot later = pod("shop", "later").started(at(90)).build();
    ClusterState state = view(cluster(racer1, racer2, later, endpointOf(later)).toArray(Snapshot[]::new));

    assertThat(DETECTOR.detectAll(state, NOW)).extracting(f -> f.resource().name())
        .containsExactlyInAnyOrder("racer-1", "racer-2");
  }

  @Test
  void sameViewAndTimeGiveTheSameFindings() {
    PodSnapshot racer = pod("shop", "api-0").build();
    ClusterState state = view(cluster(racer).toArray(Snapshot[]::new));

    assertThat(DETECTOR.detectAll(state, NOW)).isEqualTo(DETECTOR.detectAll(state, NOW));
  }

  @Test
  void changesTouchOnlyTheKeysTheyConcern() {
    PodSnapshot a = pod("shop", "a").build();
    PodSnapshot b = pod("shop", "b").build();
    PodSnapshot agent = agent("node-1", AGENT_READY).build();
    ClusterState state = view(node("node-1"), agent, a, b);

    Subjects podChange = DETECTOR.affectedBy(new ClusterChange(a.ref(), null, a), state);
    Subjects endpointChange = DETECTOR.affectedBy(new ClusterChange(endpointOf(b).ref(), null, endpointOf(b)), state);
    Subjects agentChange = DETECTOR.affectedBy(new ClusterChange(agent.ref(), null, agent), state);
    Subjects configChange = DETECTOR.affectedBy(
        new ClusterChange(ciliumConfig().ref(), null, ciliumConfig()), state);

    assertThat(podChange.refs()).containsExactlyInAnyOrder(a.ref(), ResourceRef.node("node-1"));
    assertThat(endpointChange.refs()).containsExactlyInAnyOrder(b.ref(), ResourceRef.node("node-1"));
    assertThat(agentChange.refs()).contains(a.ref(), b.ref(), ResourceRef.node("node-1"));
    assertThat(configChange.all()).isTrue();
  }

  /** node-1 carrying a probe report whose cni element says {@code cilium}, the file modified at {@code modifiedAt}. */
  private static io.chainwatch.model.NodeSnapshot nodeWithChain(Boolean cilium, Instant modifiedAt) {
    var json = tools.jackson.databind.json.JsonMapper.builder().build();
    var report = (tools.jackson.databind.node.ObjectNode) json.readTree(io.chainwatch.watcher.Reports.json(NOW,
        "eth0", java.util.Map.of("all", 0), null, null));
    var cni = report.putObject("cni").put("dir", "/host/etc/cni/net.d").put("file", "05-cilium.conflist")
        .put("modifiedAt", modifiedAt.toString()).put("seenSince", modifiedAt.toString());
    cni.putArray("plugins").add("aws-cni").add("portmap");
    if (Boolean.TRUE.equals(cilium)) {
      ((tools.jackson.databind.node.ArrayNode) cni.get("plugins")).add("cilium-cni");
    }
    cni.put("cilium", cilium);
    return new io.chainwatch.model.NodeSnapshot("node-1", T0.minusSeconds(3600), true,
        java.util.Map.of("kubernetes.io/hostname", "node-1"), List.of(), java.util.Map.of(),
        io.chainwatch.watcher.view.NodeReports.parse(report.toString()));
  }

  @Test
  void theHostsChainFileGivesTheTimeCiliumJoinedTheChain() {
    PodSnapshot racer = pod("shop", "racer").started(at(10)).build();
    List<Finding> findings = podFindings(List.of(nodeWithChain(true, at(40)), agent("node-1", AGENT_READY).build(),
        racer), racer, NOW);

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.summary()).contains("Cilium joined the chain on this node at " + at(40),
          "started " + at(10));
      assertThat(f.evidence()).containsEntry("hostCniFile", "05-cilium.conflist")
          .containsEntry("hostCiliumInChainSince", at(40).toString()).containsEntry("hostAgrees", true);
    });
  }

  @Test
  void whenTheHostSaysTheChainWasCompleteTheFindingSaysTheCauseIsAnother() {
    PodSnapshot late = pod("shop", "late").started(at(100)).build(); // after the file with Cilium was written
    List<Finding> findings = podFindings(List.of(nodeWithChain(true, at(40)), agent("node-1", AGENT_READY).build(),
        late), late, NOW);

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.evidence()).containsEntry("hostAgrees", false);
      assertThat(f.summary()).contains("the missing endpoint has another cause");
    });
  }

  @Test
  void aChainWithoutCiliumOnTheHostPointsToItsOwnFinding() {
    PodSnapshot pod = pod("shop", "p").started(at(100)).build();
    assertThat(podFindings(List.of(nodeWithChain(false, at(40)), agent("node-1", AGENT_READY).build(), pod), pod,
        NOW))
        .singleElement().satisfies(f -> assertThat(f.summary()).contains("has no cilium-cni (see cilium-not-in-chain)"));
  }

  @Test
  void withoutAProbeReportTheVerdictAndItsEvidenceAreTheApisAlone() {
    PodSnapshot racer = pod("shop", "racer").started(at(10)).build();
    assertThat(podFindings(cluster(racer), racer, NOW)).singleElement()
        .satisfies(f -> assertThat(f.evidence()).doesNotContainKeys("hostCniFile", "hostAgrees"));
  }

  /** node-1 whose probe, at {@code observedAt}, lists the pods its agent manages. */
  private static io.chainwatch.model.NodeSnapshot managing(Instant observedAt, String... pods) {
    return io.chainwatch.watcher.Reports.nodeWithEndpoints("node-1", observedAt, List.of(pods), List.of());
  }

  private static final Snapshot CRD_DISABLED = ciliumConfig("disable-endpoint-crd", "true");

  @Test
  void withTheEndpointCrdDisabledAPodTheAgentDoesNotManageIsFoundOnTheHost() {
    PodSnapshot racer = pod("shop", "racer").started(at(10)).build();
    List<Finding> findings = podFindings(List.of(managing(at(290), "shop/other"), agent("node-1", AGENT_READY).build(),
        CRD_DISABLED, racer), racer, NOW);

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.reason()).isEqualTo("not-managed-by-agent");
      assertThat(f.action()).isEqualTo(PlannedAction.RESTART);
      assertThat(f.summary()).contains("the CNI-chain race", "cilium-agent on the node does not manage it",
          "read by the probe at " + at(290));
      assertThat(f.evidence()).containsEntry("hostAgentManagesPod", false).doesNotContainKey("ciliumEndpoint");
    });
    assertThat(DETECTOR.inactiveReason(view(managing(at(290)), CRD_DISABLED))).as("the host is evidence enough")
        .isEmpty();
  }

  static Stream<Arguments> hostMustNotReport() {
    PodSnapshot p = pod("shop", "p").started(at(10)).build();
    return Stream.of(
        Arguments.of("the agent manages it", List.of(managing(at(290), "shop/p"), agent("node-1", AGENT_READY).build(),
            CRD_DISABLED, p)),
        Arguments.of("the list was read before the agent and the pod had time to meet",
            List.of(managing(at(80), "shop/other"), agent("node-1", AGENT_READY).build(), CRD_DISABLED, p)),
        Arguments.of("the list was cut: a pod missing from it proves nothing",
            List.of(io.chainwatch.watcher.Reports.nodeWithEndpointsSection("node-1", at(290),
                "{\"total\": 900, \"notReady\": [], \"pods\": [\"shop/other\"], \"podsOmitted\": 899}"),
                agent("node-1", AGENT_READY).build(), CRD_DISABLED, p)),
        Arguments.of("the agent restarted: the probe could not ask it",
            List.of(io.chainwatch.watcher.Reports.nodeWithEndpointsSection("node-1", at(290),
                "{\"error\": \"cilium-agent API refused the connection (1 rounds in a row)\"}"),
                agent("node-1", AGENT_READY).build(), CRD_DISABLED, p)),
        Arguments.of("no probe on the node", List.of(node("node-1"), agent("node-1", AGENT_READY).build(),
            CRD_DISABLED, p)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostMustNotReport")
  void hostMustNotReport(String name, List<Snapshot> snapshots) {
    assertThat(podFindings(snapshots, pod("shop", "p").started(at(10)).build(), NOW)).as(name).isEmpty();
  }

  @Test
  void withoutAnyHostListTheCrdDisabledClusterStaysInactiveAndSaysWhatWouldHelp() {
    assertThat(DETECTOR.inactiveReason(view(node("node-1"), CRD_DISABLED))).get().asString()
        .contains("disable-endpoint-crd", "no node's probe reports the endpoints");
  }

  @Test
  void aMissingCiliumEndpointForAPodTheAgentManagesIsAnUnpublishedEndpointNotAMissedChain() {
    PodSnapshot pod = pod("shop", "p").started(at(10)).build();
    List<Finding> findings = podFindings(List.of(managing(at(290), "shop/p"), agent("node-1", AGENT_READY).build(),
        pod), pod, NOW);

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.reason()).isEqualTo("endpoint-not-published");
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.action()).as("the pod has Cilium: a restart explains nothing").isEqualTo(PlannedAction.PAGE);
      assertThat(f.evidence()).containsEntry("hostAgentManagesPod", true).containsEntry("hostAgrees", false);
      assertThat(f.summary()).contains("did not miss the chain", "sync-to-k8s-ciliumendpoint");
    });
  }

  @Test
  void theApiAndTheHostAgreeingOnAMissingEndpointRestarts() {
    PodSnapshot pod = pod("shop", "p").started(at(10)).build();
    assertThat(podFindings(List.of(managing(at(290), "shop/other"), agent("node-1", AGENT_READY).build(), pod), pod,
        NOW)).singleElement().satisfies(f -> {
          assertThat(f.action()).isEqualTo(PlannedAction.RESTART);
          assertThat(f.reason()).isEqualTo("no-endpoint");
          assertThat(f.evidence()).containsEntry("ciliumEndpoint", "missing").containsEntry("hostAgentManagesPod", false);
          assertThat(f.summary()).contains("does not manage it", "and it has no CiliumEndpoint");
        });
  }

  @Test
  void whenTheApiShowsTheEndpointButTheAgentDoesNotListThePodAPersonLooksFirst() {
    PodSnapshot pod = pod("shop", "p").started(at(10)).build();
    assertThat(podFindings(List.of(managing(at(290), "shop/other"), agent("node-1", AGENT_READY).build(), pod,
        endpointOf(pod)), pod, NOW)).singleElement().satisfies(f -> {
          assertThat(f.action()).isEqualTo(PlannedAction.PAGE);
          assertThat(f.evidence()).containsEntry("ciliumEndpoint", "present").containsEntry("hostAgrees", false);
          assertThat(f.summary()).contains("although the API shows a CiliumEndpoint", "the API and the host disagree");
        });
  }
}

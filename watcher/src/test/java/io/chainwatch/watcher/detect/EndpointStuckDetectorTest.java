package io.chainwatch.watcher.detect;

import static io.chainwatch.watcher.Fixtures.T0;
import static io.chainwatch.watcher.Fixtures.agent;
import static io.chainwatch.watcher.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainwatch.config.ConfigException;
import io.chainwatch.model.Finding;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.Fixtures;
import io.chainwatch.watcher.Reports;
import io.chainwatch.watcher.Reports.NotReady;
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

/** endpoint-stuck over node reports whose endpoints section is what the probe writes (a contract test holds it). */
class EndpointStuckDetectorTest {
  private static final EndpointStuckDetector DETECTOR = new EndpointStuckDetector(Duration.ofMinutes(5),
      Duration.ofMinutes(15), Duration.ofMinutes(5));
  /** The agent has been Ready on node-1 for an hour; pods started two hours ago; judged at T0. */
  private static final Instant AGENT_READY = T0.minusSeconds(3600);
  private static final Instant POD_START = T0.minusSeconds(7200);
  private static final PodSnapshot CHECKOUT = pod("shop", "checkout-1").started(POD_START).build();

  private static Evaluation judge(Instant now, Snapshot... snapshots) {
    ClusterState state = Fixtures.view(snapshots);
    return DETECTOR.evaluate(ResourceRef.node("node-1"), state, now);
  }

  private static NodeSnapshot reporting(Instant observedAt, NotReady... notReady) {
    List<String> pods = new ArrayList<>(List.of("shop/checkout-1", "shop/cart-0", "web/front-1", "web/front-2"));
    for (NotReady endpoint : notReady) {
      if (!pods.contains(endpoint.pod()) && !endpoint.pod().startsWith("reserved:")) {
        pods.add(endpoint.pod());
      }
    }
    return Reports.nodeWithEndpoints("node-1", observedAt, pods, List.of(notReady));
  }

  private static NotReady stuck(String pod, String state, Duration forHowLong) {
    return new NotReady(1201, pod, state, T0.minus(forHowLong));
  }

  @Test
  void anEndpointStuckPastWarnAfterPagesAWarningThatSaysWhenItWillBeRestarted() {
    Evaluation evaluation = judge(T0, reporting(T0.minusSeconds(20),
        stuck("shop/checkout-1", "waiting-for-identity", Duration.ofMinutes(8))),
        agent("node-1", AGENT_READY).build(), CHECKOUT);

    assertThat(evaluation.findings()).singleElement().satisfies(f -> {
      assertThat(f.resource()).isEqualTo(CHECKOUT.ref());
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.action()).isEqualTo(PlannedAction.PAGE);
      assertThat(f.reason()).isEqualTo("waiting-for-identity");
      assertThat(f.summary()).contains("endpoint 1201 in waiting-for-identity for 8 min",
          "since " + T0.minusSeconds(480), "from the agent's endpoint log", "cannot get it a security identity",
          "restarts it if it is still stuck at " + T0.minusSeconds(480).plus(Duration.ofMinutes(15)));
      assertThat(f.evidence()).containsEntry("endpointId", 1201L).containsEntry("stateSinceFrom", "agent");
    });
    assertThat(evaluation.recheckAt()).as("judged again when it turns critical")
        .isEqualTo(T0.minusSeconds(480).plus(Duration.ofMinutes(15)));
  }

  @Test
  void pastCriticalAfterItIsRestartedWhenItsOwnerRecreatesItElsePaged() {
    NodeSnapshot node = reporting(T0.minusSeconds(20), stuck("shop/checkout-1", "regenerating", Duration.ofMinutes(20)));
    List<Finding> owned = judge(T0, node, agent("node-1", AGENT_READY).build(), CHECKOUT).findings();
    List<Finding> bare = judge(T0, node, agent("node-1", AGENT_READY).build(),
        pod("shop", "checkout-1").started(POD_START).bare().build()).findings();
    List<Finding> optedOut = judge(T0, node, agent("node-1", AGENT_READY).build(),
        pod("shop", "checkout-1").started(POD_START).remediationDisabled().build()).findings();
    List<Finding> job = judge(T0, node, agent("node-1", AGENT_READY).build(),
        pod("shop", "checkout-1").started(POD_START).owner("Job", "nightly").build()).findings();

    assertThat(owned).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(f.action()).isEqualTo(PlannedAction.RESTART);
      assertThat(f.facts().subjectUid()).isEqualTo(CHECKOUT.uid());
      assertThat(f.summary()).contains("policy changes since then are not enforced", "Restart it");
    });
    for (List<Finding> paged : List.of(bare, optedOut, job)) {
      assertThat(paged).singleElement().satisfies(f -> {
        assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(f.action()).isEqualTo(PlannedAction.PAGE);
        assertThat(f.summary()).contains("a person must");
      });
    }
  }

  @Test
  void belowWarnAfterNothingYetButAJudgementIsBooked() {
    Evaluation evaluation = judge(T0, reporting(T0.minusSeconds(20),
        stuck("shop/checkout-1", "waiting-for-identity", Duration.ofMinutes(2))),
        agent("node-1", AGENT_READY).build(), CHECKOUT);

    assertThat(evaluation.findings()).isEmpty();
    assertThat(evaluation.recheckAt()).isEqualTo(T0.minus(Duration.ofMinutes(2)).plus(Duration.ofMinutes(5)));
  }

  static Stream<Arguments> mustNotReport() {
    NotReady long20 = stuck("shop/checkout-1", "waiting-for-identity", Duration.ofMinutes(20));
    NodeSnapshot node = reporting(T0.minusSeconds(20), long20);
    return Stream.of(
        Arguments.of("the agent is not Ready (down or restarting)", List.of(node,
            agent("node-1", AGENT_READY).ready(false, T0.minusSeconds(60)).build(), CHECKOUT)),
        Arguments.of("the agent restarted 2 min ago: every endpoint is restored and regenerated, the clock restarts",
            List.of(node, agent("node-1", T0.minusSeconds(120)).build(), CHECKOUT)),
        Arguments.of("no agent pod on the node", List.of(node, CHECKOUT)),
        Arguments.of("the pod is gone", List.of(node, agent("node-1", AGENT_READY).build())),
        Arguments.of("the pod is terminating (disconnecting is expected)", List.of(node,
            agent("node-1", AGENT_READY).build(), pod("shop", "checkout-1").started(POD_START).terminating().build())),
        Arguments.of("a pod of that name on another node", List.of(node, agent("node-1", AGENT_READY).build(),
            pod("shop", "checkout-1").started(POD_START).node("node-2").build())),
        Arguments.of("a new pod of that name, created 2 min ago: the endpoint's time is an earlier pod's", List.of(node,
            agent("node-1", AGENT_READY).build(), pod("shop", "checkout-1").started(T0.minusSeconds(118)).build())),
        Arguments.of("the health endpoint (cilium-health-local-endpoint's)", List.of(reporting(T0.minusSeconds(20),
            stuck("reserved:health", "not-ready", Duration.ofMinutes(30))), agent("node-1", AGENT_READY).build())),
        Arguments.of("a stale report (probe-silent's)", List.of(reporting(T0.minus(Duration.ofMinutes(16)), long20),
            agent("node-1", AGENT_READY).build(), CHECKOUT)),
        Arguments.of("the probe could not ask the agent", List.of(Reports.nodeWithEndpointsSection("node-1",
            T0.minusSeconds(20), "{\"error\": \"cilium-agent API refused the connection\"}"),
            agent("node-1", AGENT_READY).build(), CHECKOUT)),
        Arguments.of("an older probe without endpoints", List.of(Reports.node("node-1",
            Reports.report(T0.minusSeconds(20), "eth0", java.util.Map.of("all", 0), null)),
            agent("node-1", AGENT_READY).build(), CHECKOUT)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mustNotReport")
  void mustNotReport(String name, List<Snapshot> snapshots) {
    assertThat(judge(T0, snapshots.toArray(Snapshot[]::new)).findings()).as(name).isEmpty();
  }

  @Test
  void mostOfANodesPodsStuckAtOnceIsTheAgentsProblemOnePageAndNoRestart() {
    List<Snapshot> snapshots = new ArrayList<>(List.of(agent("node-1", AGENT_READY).build()));
    List<NotReady> notReady = new ArrayList<>();
    List<String> pods = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      PodSnapshot pod = pod("shop", "p-" + i).started(POD_START).build();
      snapshots.add(pod);
      pods.add("shop/p-" + i);
      if (i < 6) {
        notReady.add(new NotReady(100 + i, "shop/p-" + i, "waiting-for-identity", T0.minus(Duration.ofMinutes(30))));
      }
    }
    snapshots.add(Reports.nodeWithEndpoints("node-1", T0.minusSeconds(20), pods, notReady));

    List<Finding> findings = judge(T0, snapshots.toArray(Snapshot[]::new)).findings();

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.resource()).isEqualTo(ResourceRef.node("node-1"));
      assertThat(f.action()).isEqualTo(PlannedAction.PAGE);
      assertThat(f.reason()).isEqualTo("node-wide");
      assertThat(f.summary()).contains("6 of its 8 pod endpoints", "before restarting anything");
    });
  }

  @Test
  void aFewStuckPodsOnABusyNodeAreJudgedOneByOne() {
    List<Snapshot> snapshots = new ArrayList<>(List.of(agent("node-1", AGENT_READY).build()));
    List<NotReady> notReady = new ArrayList<>();
    List<String> pods = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      snapshots.add(pod("shop", "p-" + i).started(POD_START).build());
      pods.add("shop/p-" + i);
      if (i < 6) {
        notReady.add(new NotReady(100 + i, "shop/p-" + i, "regenerating", T0.minus(Duration.ofMinutes(30))));
      }
    }
    snapshots.add(Reports.nodeWithEndpoints("node-1", T0.minusSeconds(20), pods, notReady));

    assertThat(judge(T0, snapshots.toArray(Snapshot[]::new)).findings()).hasSize(6)
        .allSatisfy(f -> assertThat(f.action()).isEqualTo(PlannedAction.RESTART));
  }

  @Test
  void criticalAfterMustBeLongerThanWarnAfter() {
    assertThatThrownBy(() -> new EndpointStuckDetector(Duration.ofMinutes(10), Duration.ofMinutes(10),
        Duration.ofMinutes(5)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("detectors.endpoint-stuck.criticalAfter must be longer than "
            + "detectors.endpoint-stuck.warnAfter (PT10M), got PT10M");
  }
}

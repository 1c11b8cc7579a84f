package io.chainwatch.watcher.detect;

import static io.chainwatch.watcher.Fixtures.T0;
import static io.chainwatch.watcher.Fixtures.agent;
import static io.chainwatch.watcher.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.Finding;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.watcher.Fixtures;
import io.chainwatch.watcher.view.ClusterState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node that joins tainted at T0, whose taint chainwatch sees leave at T0+40 s (a scenario assembled by us after the
 * reports of pods scheduled in the seconds after the taint's removal that never recover, Cilium 1.19, ENI, Karpenter).
 */
class DatapathNotReadyAfterTaintDetectorTest {
  private static final DatapathNotReadyAfterTaintDetector DETECTOR = new DatapathNotReadyAfterTaintDetector(
      Duration.ofMinutes(1), Duration.ofMinutes(5));
  private static final Instant REMOVED = T0.plusSeconds(40);
  private static final Instant NOW = T0.plus(Duration.ofMinutes(10));
  private static final String TAINT = "node.cilium.io/agent-not-ready=true:NoSchedule";

  private static NodeSnapshot node(Instant created, List<String> taints) {
    return new NodeSnapshot("node-1", created, true, Map.of("kubernetes.io/hostname", "node-1"), taints, Map.of());
  }

  /** A live view that saw the node tainted, then untainted at {@code removed}. */
  private static ClusterState liveView(Instant nodeCreated, Instant removed, PodSnapshot... pods) {
    ClusterState state = new ClusterState(Fixtures.AGENTS, change -> {}, Clock.fixed(removed, ZoneOffset.UTC), true);
    state.put(node(nodeCreated, List.of(TAINT)));
    state.put(node(nodeCreated, List.of()));
    state.put(agent("node-1", removed.minusSeconds(2)).build());
    for (PodSnapshot pod : pods) {
      state.put(pod);
    }
    return state;
  }

  private static PodSnapshot stuck(String name, int secondsAfterRemoval) {
    return pod("shop", name).started(REMOVED.plusSeconds(secondsAfterRemoval)).ready(false, null).build();
  }

  private static PodSnapshot laterReady(String name) {
    return pod("shop", name).started(REMOVED.plusSeconds(300)).ready(true, REMOVED.plusSeconds(310)).build();
  }

  private static List<Finding> judge(ClusterState view, Instant now) {
    return DETECTOR.evaluate(ResourceRef.node("node-1"), view, now).findings();
  }

  @Test
  void aPodStartedRightAfterTheTaintLeftAndNeverReadyWhileLaterPodsAreIsRestarted() {
    ClusterState view = liveView(T0, REMOVED, stuck("web-1", 5), laterReady("web-2"));

    assertThat(view.taintRemovedAt("node-1", "node.cilium.io/agent-not-ready")).contains(REMOVED);
    assertThat(judge(view, NOW)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.action()).isEqualTo(PlannedAction.RESTART);
      assertThat(f.resource()).isEqualTo(ResourceRef.pod("shop", "web-1"));
      assertThat(f.summary()).contains("5 s after the node.cilium.io/agent-not-ready taint left the node",
          "1 pod(s) started there later are Ready");
      assertThat(f.evidence()).containsEntry("secondsAfterTaintRemoval", 5L);
    });
  }

  @Test
  void mustNotReport() {
    assertThat(judge(liveView(T0, REMOVED, stuck("web-1", 5)), NOW)).as("no later pod Ready: the node is broken")
        .isEmpty();
    assertThat(judge(liveView(T0, REMOVED, stuck("web-1", 90), laterReady("web-2")), NOW))
        .as("started after the window").isEmpty();
    assertThat(judge(liveView(T0, REMOVED, pod("shop", "early").started(REMOVED.minusSeconds(10)).ready(false, null)
        .build(), laterReady("web-2")), NOW)).as("started before the removal (missed-cilium-chain's)").isEmpty();
    assertThat(judge(liveView(T0, REMOVED, stuck("web-1", 5), laterReady("web-2")), REMOVED.plusSeconds(200)))
        .as("not yet notReadyAfter").isEmpty();
    assertThat(judge(liveView(T0.minus(Duration.ofDays(3)), REMOVED, stuck("web-1", 5), laterReady("web-2")), NOW))
        .as("an old node").isEmpty();
    assertThat(judge(liveView(T0, REMOVED, pod("shop", "web-1").started(REMOVED.plusSeconds(5)).hostNetwork()
        .ready(false, null).build(), laterReady("web-2")), NOW)).as("hostNetwork").isEmpty();
    assertThat(judge(liveView(T0, REMOVED, pod("shop", "web-1").started(REMOVED.plusSeconds(5)).terminating()
        .ready(false, null).build(), laterReady("web-2")), NOW)).as("terminating").isEmpty();
  }

  @Test
  void aDumpHasNoRemovalTimeSoScanSaysItIsInactive() {
    ClusterState dump = Fixtures.view(node(T0, List.of()), stuck("web-1", 5), laterReady("web-2"));

    assertThat(DETECTOR.inactiveReason(dump)).get().asString().contains("only a running chainwatch sees");
    assertThat(DETECTOR.allSubjects(dump)).isEmpty();
    assertThat(judge(dump, NOW)).isEmpty();
  }

  @Test
  void aTaintThatComesBackForgetsTheEarlierRemoval() {
    ClusterState view = liveView(T0, REMOVED);
    view.put(node(T0, List.of(TAINT)));

    assertThat(view.taintRemovedAt("node-1", "node.cilium.io/agent-not-ready")).isEmpty();
  }
}

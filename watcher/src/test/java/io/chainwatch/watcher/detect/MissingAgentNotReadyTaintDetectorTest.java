package io.chainwatch.watcher.detect;

import static io.chainwatch.watcher.Fixtures.T0;
import static io.chainwatch.watcher.Fixtures.ciliumConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.Finding;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.Severity;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MissingAgentNotReadyTaintDetectorTest {
  private final MissingAgentNotReadyTaintDetector detector = new MissingAgentNotReadyTaintDetector(
      Duration.ofSeconds(30));
  private static final Snapshot CHAINING = ciliumConfig("cni-chaining-mode", "generic-veth", "routing-mode",
      "native");

  private static NodeSnapshot node(Instant created, String... taints) {
    return new NodeSnapshot("n1", created, true, Map.of("node.tke.cloud.tencent.com/nodepool-id", "np-7x2k"),
        List.of(taints), Map.of());
  }

  private List<Finding> judge(Instant now, Snapshot... snapshots) {
    return detector.detectAll(Fixtures.view(snapshots), now);
  }

  @Test
  void aYoungUntaintedNodeWhoseAgentIsNotReadyNamesItsPool() {
    List<Finding> findings = judge(T0.plusSeconds(10), CHAINING, node(T0));

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.reason()).isEqualTo("joined-untainted");
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.action()).isEqualTo(PlannedAction.PAGE);
      assertThat(f.summary()).contains("node pool np-7x2k", "node.cilium.io/agent-not-ready=true:NoSchedule");
      assertThat(f.evidence()).containsEntry("incidentGroup", "missed-cilium-chain");
    });
  }

  @Test
  void racePodsOnAnUntaintedNodeKeepPointingAtThePool() {
    List<Finding> findings = judge(T0.plus(Duration.ofHours(1)), CHAINING, node(T0),
        Fixtures.agent("n1", T0.plusSeconds(40)).build(),
        Fixtures.pod("shop", "web-1").node("n1").started(T0.plusSeconds(5)).build());

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.reason()).isEqualTo("pods-started-before-agent");
      assertThat(f.evidence()).containsEntry("podsStartedBeforeAgent", 1L);
    });
  }

  @Test
  void mustNotReport() {
    Instant young = T0.plusSeconds(10);
    assertThat(judge(young, CHAINING, node(T0, "node.cilium.io/agent-not-ready=true:NoSchedule")))
        .as("tainted").isEmpty();
    assertThat(judge(young, ciliumConfig("routing-mode", "tunnel"), node(T0))).as("not chaining").isEmpty();
    assertThat(detector.inactiveReason(Fixtures.view(ciliumConfig("routing-mode", "tunnel")))).isPresent();
    assertThat(judge(T0.plus(Duration.ofHours(1)), CHAINING, node(T0), Fixtures.agent("n1", T0.plusSeconds(20)).build(),
        Fixtures.pod("shop", "web-1").node("n1").started(T0.plusSeconds(60)).build()))
        .as("old node, every pod started after the agent").isEmpty();
    assertThat(judge(T0.plus(Duration.ofHours(1)), CHAINING, node(T0))).as("old node without agent: not Cilium's")
        .isEmpty();
  }
}

package io.chainwatch.watcher.detect;

import static io.chainwatch.watcher.Fixtures.T0;
import static io.chainwatch.watcher.Fixtures.ciliumConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.CiliumNodeSnapshot;
import io.chainwatch.model.Finding;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.Severity;
import io.chainwatch.model.Snapshot;
import io.chainwatch.watcher.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MissingAgentNotReadyTaintDetectorTest {
  private final MissingAgentNotReadyTaintDetector detector = new MissingAgentNotReadyTaintDetector(
      Duration.ofSeconds(30));
  private static final Snapshot CHAINING = ciliumConfig("cni-chaining-mode", "generic-veth", "routing-mode",
      "native");
  private static final Instant LATER = T0.plus(Duration.ofHours(1));
  /** Cilium first ran on n1 at T0+60s: its CiliumNode dates from then, whatever the agent pod does later. */
  private static final CiliumNodeSnapshot REGISTERED = new CiliumNodeSnapshot("n1", T0.plusSeconds(60));
  /** Another pod's endpoint: the view has endpoints, so a missing one is evidence. */
  private static final Snapshot OTHER_ENDPOINT = Fixtures.endpoint("shop", "other", "other-uid");

  private static NodeSnapshot node(Instant created, String... taints) {
    return new NodeSnapshot("n1", created, true, Map.of("node.tke.cloud.tencent.com/nodepool-id", "np-7x2k"),
        List.of(taints), Map.of());
  }

  private static PodSnapshot notReadyAgent(Instant started) {
    return Fixtures.agent("n1", started).ready(false, started).build();
  }

  private static PodSnapshot early() {
    return Fixtures.pod("shop", "web-1").node("n1").started(T0.plusSeconds(5)).build();
  }

  private List<Finding> judge(Instant now, Snapshot... snapshots) {
    return detector.detectAll(Fixtures.view(snapshots), now);
  }

  private static Snapshot[] with(Snapshot[] base, Snapshot... more) {
    List<Snapshot> all = new ArrayList<>(Arrays.asList(base));
    all.addAll(List.of(more));
    return all.toArray(Snapshot[]::new);
  }

  @Test
  void aNodeThatJoinedUntaintedWhileItsAgentIsNotReadyNamesItsPoolAndTheKey() {
    List<Finding> findings = judge(T0.plus(Duration.ofMinutes(3)), CHAINING, node(T0), notReadyAgent(T0.plusSeconds(30)));

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.reason()).isEqualTo("joined-untainted");
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.action()).isEqualTo(PlannedAction.PAGE);
      assertThat(f.summary()).contains("node pool np-7x2k", "node.cilium.io/agent-not-ready=true:NoSchedule");
      assertThat(f.evidence()).containsEntry("incidentGroup", "missed-cilium-chain")
          .containsEntry("taintKeyFrom", "Cilium's default (cilium-config (kube-system/cilium-config) sets no "
              + "agent-not-ready-taint-key)");
    });
  }

  @Test
  void podsWithoutEndpointsThatStartedBeforeCiliumFirstRanThereAreTheRace() {
    List<Finding> findings = judge(LATER, CHAINING, node(T0), REGISTERED, OTHER_ENDPOINT,
        Fixtures.agent("n1", T0.plusSeconds(90)).build(), early());

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.reason()).isEqualTo("pods-started-before-agent");
      assertThat(f.evidence()).containsEntry("podsStartedBeforeAgent", 1)
          .containsEntry("pods", List.of("shop/web-1"))
          .containsEntry("agentFirstSeenAt", T0.plusSeconds(60).toString());
    });
  }

  @Test
  void anAgentRestartOrUpgradeIsNeverEvidence() {
    // the CiliumNode dates from the first start; the agent pod is new (an upgrade) and Ready for a minute
    PodSnapshot upgraded = Fixtures.agent("n1", LATER.minusSeconds(60)).build();
    PodSnapshot old = Fixtures.pod("shop", "web-1").node("n1").started(T0.plusSeconds(600)).build();
    assertThat(judge(LATER, CHAINING, node(T0), REGISTERED, upgraded, old, Fixtures.endpointOf(old)))
        .as("pods older than the new agent, endpoints intact").isEmpty();
    assertThat(judge(LATER, CHAINING, node(T0), REGISTERED, upgraded, old, OTHER_ENDPOINT))
        .as("a pod without endpoint that started after Cilium first ran: missed-cilium-chain's, not the pool's")
        .isEmpty();
    assertThat(judge(LATER, CHAINING, node(T0), upgraded, old, Fixtures.endpointOf(old)))
        .as("no CiliumNode: pods older than the agent but with endpoints").isEmpty();
    assertThat(judge(LATER, CHAINING, node(T0), notReadyAgent(LATER.minusSeconds(20)), old, Fixtures.endpointOf(old)))
        .as("an old node whose agent restarts (not Ready for now)").isEmpty();
  }

  @Test
  void theKeyIsTheOneThisClusterUses() {
    Snapshot customKey = ciliumConfig("cni-chaining-mode", "aws-cni", "agent-not-ready-taint-key",
        "example.com/cilium-not-ready");
    Instant young = T0.plus(Duration.ofMinutes(2));
    assertThat(judge(young, customKey, node(T0, "example.com/cilium-not-ready=true:NoSchedule"),
        notReadyAgent(T0.plusSeconds(10)))).as("tainted with the cluster's key").isEmpty();
    assertThat(judge(young, customKey, node(T0, "node.cilium.io/agent-not-ready=true:NoSchedule"),
        notReadyAgent(T0.plusSeconds(10)))).singleElement().satisfies(f -> {
          assertThat(f.summary()).contains("Add example.com/cilium-not-ready=true:NoSchedule");
          assertThat(f.evidence()).containsEntry("taintKey", "example.com/cilium-not-ready");
        });
    assertThat(judge(young, CHAINING, node(T0, "node.cilium.io/agent-not-ready:NoSchedule"),
        notReadyAgent(T0.plusSeconds(10)))).as("the default key without a value").isEmpty();
  }

  @Test
  void aPodThatToleratesTheTaintIsItsOwnAdvice() {
    PodSnapshot tolerant = Fixtures.pod("monitoring", "node-exporter-x").node("n1").started(T0.plusSeconds(5))
        .owner("DaemonSet", "node-exporter").tolerates("*").build();
    List<Finding> findings = judge(LATER, CHAINING, node(T0), REGISTERED, OTHER_ENDPOINT,
        Fixtures.agent("n1", T0.plusSeconds(90)).build(), tolerant);

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.reason()).isEqualTo("pod-tolerates-taint");
      assertThat(f.resource().kind()).isEqualTo("Pod");
      assertThat(f.severity()).isEqualTo(Severity.INFO);
      assertThat(f.action()).isEqualTo(PlannedAction.NONE);
      assertThat(f.summary()).contains("DaemonSet monitoring/node-exporter", "tolerates every taint");
    });
    PodSnapshot byKey = Fixtures.pod("shop", "web-2").node("n1").started(T0.plusSeconds(5))
        .tolerates("node.cilium.io/agent-not-ready").build();
    assertThat(judge(LATER, CHAINING, node(T0), REGISTERED, OTHER_ENDPOINT,
        Fixtures.agent("n1", T0.plusSeconds(90)).build(), byKey, early()))
        .extracting(Finding::reason).containsExactlyInAnyOrder("pod-tolerates-taint", "pods-started-before-agent");
  }

  @Test
  void mustNotReport() {
    Instant young = T0.plusSeconds(10);
    Snapshot[] race = {node(T0), REGISTERED, OTHER_ENDPOINT, Fixtures.agent("n1", T0.plusSeconds(90)).build(),
        early()};
    assertThat(judge(young, CHAINING, node(T0, "node.cilium.io/agent-not-ready=true:NoSchedule"),
        notReadyAgent(T0))).as("tainted").isEmpty();
    assertThat(judge(LATER, with(race, ciliumConfig("routing-mode", "tunnel")))).as("not chaining").isEmpty();
    assertThat(judge(LATER, with(race, ciliumConfig("cni-chaining-mode", "portmap"))))
        .as("portmap: Cilium is the primary CNI").isEmpty();
    assertThat(detector.inactiveReason(Fixtures.view(ciliumConfig("cni-chaining-mode", "portmap"))).orElseThrow())
        .contains("primary CNI", "cni-chaining-mode=portmap");
    assertThat(judge(LATER, with(race, ciliumConfig("cni-chaining-mode", "generic-veth", "disable-endpoint-crd",
        "true")))).as("missing endpoints prove nothing").isEmpty();
    assertThat(judge(young, CHAINING, node(T0))).as("no agent pod on the node yet: not known to be Cilium's")
        .isEmpty();
    assertThat(judge(LATER, CHAINING, node(T0), REGISTERED, OTHER_ENDPOINT,
        Fixtures.agent("n1", T0.plusSeconds(90)).build(),
        Fixtures.pod("kube-system", "aws-node-x").node("n1").started(T0.plusSeconds(5)).hostNetwork().build()))
        .as("a host-network pod never goes through the chain").isEmpty();
    assertThat(judge(LATER, CHAINING, node(T0), notReadyAgent(LATER.minusSeconds(600))))
        .as("an old node whose agent is not Ready: missed-cilium-chain's node page, not the pool's").isEmpty();
  }

  @Test
  void chainingTargetIsChaining() {
    Snapshot target = ciliumConfig("cni-chaining-target", "aws-cni");
    assertThat(detector.inactiveReason(Fixtures.view(target))).isEmpty();
    assertThat(judge(T0.plus(Duration.ofMinutes(2)), target, node(T0), notReadyAgent(T0.plusSeconds(10))))
        .extracting(Finding::reason).containsExactly("joined-untainted");
  }
}

package io.chainwatch.watcher.detect;

import static io.chainwatch.watcher.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingFacts;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.PodSnapshot;
import io.chainwatch.model.Severity;
import io.chainwatch.watcher.Fixtures;
import io.chainwatch.watcher.Reports;
import io.chainwatch.watcher.view.ClusterState;
import io.chainwatch.watcher.view.NodeReports;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** cilium-not-in-chain over node reports whose cni element is what the probe writes (held to it by a contract test). */
class CiliumNotInChainDetectorTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration SETTLE = Duration.ofSeconds(30);
  private final CiliumNotInChainDetector detector = new CiliumNotInChainDetector(SETTLE);
  private static final Instant AGENT_READY = T0.minusSeconds(600);

  /** A report observed at {@code observedAt} whose cni element is {@code cni} (null: an older probe, without it). */
  private static NodeSnapshot node(Instant observedAt, ObjectNode cni) {
    ObjectNode report = (ObjectNode) JSON.readTree(Reports.json(observedAt, "eth0", Map.of("all", 0), null, null));
    if (cni != null) {
      report.set("cni", cni);
    }
    return Reports.node("n1", NodeReports.parse(report.toString()));
  }

  private static ObjectNode chain(String file, Boolean cilium, Instant modifiedAt, String... plugins) {
    ObjectNode cni = JSON.createObjectNode();
    cni.put("dir", "/etc/cni/net.d");
    cni.put("file", file);
    var list = cni.putArray("plugins");
    for (String plugin : plugins) {
      list.add(plugin);
    }
    if (cilium == null) {
      cni.putNull("cilium");
    } else {
      cni.put("cilium", cilium);
    }
    cni.put("modifiedAt", modifiedAt.toString());
    cni.put("seenSince", modifiedAt.plusSeconds(5).toString());
    return cni;
  }

  private static PodSnapshot agent(boolean ready) {
    return Fixtures.agent("n1", AGENT_READY).ready(ready, AGENT_READY).build();
  }

  private List<Finding> judge(NodeSnapshot node, PodSnapshot... pods) {
    ClusterState state = Fixtures.view(node);
    for (PodSnapshot pod : pods) {
      state.put(pod);
    }
    return detector.detectAll(state, T0);
  }

  @Test
  void aMetaPluginAheadOfCiliumLeavesItOutOfEveryNewPod() {
    List<Finding> findings = judge(node(T0.minusSeconds(10), chain("00-multus.conf", false, T0.minusSeconds(300),
        "multus")), agent(true));

    assertThat(findings).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(f.action()).isEqualTo(PlannedAction.PAGE);
      assertThat(f.reason()).isEqualTo("cilium-not-in-active-chain");
      assertThat(f.summary()).contains("00-multus.conf", "modified " + T0.minusSeconds(300), "Ready since "
          + AGENT_READY, "multus without cilium-cni");
      assertThat(f.evidence()).containsEntry("cniFile", "00-multus.conf").containsEntry("plugins", List.of("multus"));
      assertThat(f.facts().incidentGroup()).as("one incident with the pods that miss the chain there")
          .isEqualTo(MissedCiliumChainDetector.ID);
    });
  }

  @Test
  void theBaseCnisChainAloneLongAfterTheAgentWasReadyIsReported() {
    assertThat(judge(node(T0.minusSeconds(10), chain("10-aws.conflist", false, T0.minusSeconds(3600), "aws-cni",
        "portmap")), agent(true))).hasSize(1);
  }

  @Test
  void ciliumInTheChainIsFine() {
    assertThat(judge(node(T0.minusSeconds(10), chain("05-cilium.conflist", true, T0.minusSeconds(300), "aws-cni",
        "portmap", "cilium-cni")), agent(true))).isEmpty();
  }

  @Test
  void aMetaPluginDelegatingToConfigurationElsewhereIsNotJudged() {
    assertThat(judge(node(T0.minusSeconds(10), chain("00-multus.conf", null, T0.minusSeconds(300), "multus-shim")),
        agent(true))).isEmpty();
  }

  @Test
  void filesTheProbeCouldNotUseAheadOfTheChosenOneLeaveTheVerdictOpen() {
    ObjectNode cni = chain("10-aws.conflist", false, T0.minusSeconds(300), "aws-cni");
    cni.putArray("problems").add("02-link.conflist: a symbolic link (not followed)");
    assertThat(judge(node(T0.minusSeconds(10), cni), agent(true))).isEmpty();
  }

  @Test
  void aProbeThatCannotReadTheDirectoryOrAnOlderProbeWithoutItOrNoProbeSaysNothing() {
    ObjectNode unreadable = JSON.createObjectNode().put("dir", "/etc/cni/net.d")
        .put("error", "no CNI configuration directory /etc/cni/net.d (is the host's directory mounted?)");
    assertThat(judge(node(T0.minusSeconds(10), unreadable), agent(true))).isEmpty();
    assertThat(judge(node(T0.minusSeconds(10), null), agent(true))).isEmpty();
    assertThat(judge(Fixtures.node("n1"), agent(true))).isEmpty();
  }

  @Test
  void anAgentThatIsNotReadyOrAbsentIsTheMissedChainDetectorsCase() {
    ObjectNode missing = chain("10-aws.conflist", false, T0.minusSeconds(300), "aws-cni");
    assertThat(judge(node(T0.minusSeconds(10), missing), agent(false))).isEmpty();
    assertThat(judge(node(T0.minusSeconds(10), missing))).isEmpty();
  }

  @Test
  void aReportFromBeforeTheAgentSettledMayPredateItsConfigurationAndWaits() {
    // the race itself: the base CNI's file alone, reported before the agent had been Ready for agentSettle
    ObjectNode baseOnly = chain("10-aws.conflist", false, T0.minusSeconds(3600), "aws-cni", "portmap");
    assertThat(judge(node(AGENT_READY.plusSeconds(10), baseOnly), agent(true))).isEmpty();
  }

  @Test
  void aFileJustRewrittenIsJudgedOnceItSettlesNotBefore() {
    NodeSnapshot rewritten = node(T0.minusSeconds(1), chain("10-aws.conflist", false, T0.minusSeconds(5),
        "aws-cni"));
    ClusterState state = Fixtures.view(rewritten);
    state.put(agent(true));

    Evaluation now = detector.evaluate(rewritten.ref(), state, T0);
    Evaluation later = detector.evaluate(rewritten.ref(), state, T0.plus(SETTLE));

    assertThat(now.findings()).isEmpty();
    assertThat(now.recheckAt()).isEqualTo(T0.minusSeconds(5).plus(SETTLE));
    assertThat(later.findings()).as("still without Cilium once the rewrite settled").hasSize(1);
  }

  @Test
  void onlyNodeAndAgentChangesAreItsConcern() {
    ClusterState state = Fixtures.view(Fixtures.node("n1"));
    PodSnapshot workload = Fixtures.pod("shop", "web-1").node("n1").build();
    state.put(workload);

    assertThat(detector.affectedBy(new io.chainwatch.model.ClusterChange(workload.ref(), null, workload), state)
        .refs()).isEmpty();
    PodSnapshot agent = agent(true);
    state.put(agent);
    assertThat(detector.affectedBy(new io.chainwatch.model.ClusterChange(agent.ref(), null, agent), state).refs())
        .containsExactly(io.chainwatch.model.ResourceRef.node("n1"));
    assertThat(FindingFacts.INCIDENT_GROUP).isNotBlank();
  }
}

package io.chainwatch.notifier.condition;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.Finding;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeConditionBookTest {
  private static final Instant T0 = Instant.parse("2026-11-23T04:00:00Z");
  private static final NodeConditionBook.Subject N1 = new NodeConditionBook.Subject("n1", true);

  static Finding nodeFinding(String detector, String reason, String node) {
    return new Finding(detector, ResourceRef.node(node), node, Severity.CRITICAL, PlannedAction.PAGE, reason,
        "rp_filter is 1 on lxc1a2b", T0, Map.of());
  }

  private static NodeConditionBook.Condition of(List<NodeConditionBook.Condition> conditions, String type) {
    return conditions.stream().filter(c -> c.type().equals(type)).findFirst().orElseThrow();
  }

  @Test
  void aNodeFindingMakesItsConditionFalseUntilItClears() {
    NodeConditionBook book = new NodeConditionBook();
    Finding finding = nodeFinding("rp-filter-reset", "cilium-interfaces-filtered", "n1");

    book.onFinding(finding);
    NodeConditionBook.Condition open = of(book.desired(N1), "RpFilterHealthy");
    book.onCleared(finding);
    NodeConditionBook.Condition cleared = of(book.desired(N1), "RpFilterHealthy");

    assertThat(open.status()).isEqualTo("False");
    assertThat(open.reason()).isEqualTo("CiliumInterfacesFiltered");
    assertThat(open.message()).isEqualTo("chainwatch rp-filter-reset: rp_filter is 1 on lxc1a2b");
    assertThat(cleared.status()).isEqualTo("True");
    assertThat(cleared.reason()).isEqualTo("NoProblemFound");
    assertThat(of(book.desired(N1), "CiliumIpamHealthy").status()).isEqualTo("True");
  }

  @Test
  void podFindingsAndDetectorsWithoutAConditionSetNothing() {
    NodeConditionBook book = new NodeConditionBook();
    book.onFinding(new Finding("missed-cilium-chain", ResourceRef.pod("shop", "web-1"), "n1", Severity.CRITICAL,
        PlannedAction.RESTART, "no-endpoint", "web-1 missed the chain", T0, Map.of()));
    book.onFinding(nodeFinding("probe-silent", "no-report", "n1"));

    assertThat(book.desired(N1)).allSatisfy(c -> assertThat(c.status()).isEqualTo("True"));
  }

  @Test
  void withoutAProbeReportTheHostConditionsAreUnknownButAnApiVerdictStillCounts() {
    NodeConditionBook book = new NodeConditionBook();
    book.onFinding(nodeFinding("ipam-exhausted", "no-address", "n2"));
    List<NodeConditionBook.Condition> conditions = book.desired(new NodeConditionBook.Subject("n2", false));

    assertThat(of(conditions, "RpFilterHealthy").status()).isEqualTo("Unknown");
    assertThat(of(conditions, "RpFilterHealthy").reason()).isEqualTo("NoProbeReport");
    assertThat(of(conditions, "CiliumIpamHealthy").status()).isEqualTo("False");
  }

  @Test
  void onlyWhatIsNotOnTheNodeIsPendingAndTrueWaitsForTheFirstJudgementToSettle() {
    NodeConditionBook book = new NodeConditionBook();
    NodeConditionBook.Subject n2 = new NodeConditionBook.Subject("n2", true);
    book.onFinding(nodeFinding("cilium-health-local-endpoint", "step-1-not-rp-filter", "n1"));

    assertThat(book.pending(List.of(N1, n2), false)).containsOnlyKeys("n1");
    assertThat(book.pending(List.of(N1, n2), false).get("n1")).singleElement()
        .satisfies(c -> assertThat(c.type()).isEqualTo("CiliumHealthLocalEndpointReachable"));
    assertThat(book.pending(List.of(N1, n2), true)).containsOnlyKeys("n1", "n2");

    book.onNode("n1", book.desired(N1));
    book.onNode("n2", book.desired(n2));
    assertThat(book.pending(List.of(N1, n2), true)).isEmpty();

    book.forgetWhatIsOnNodes();
    assertThat(book.pending(List.of(N1, n2), true)).as("a new leader checks every Node again").hasSize(2);
  }

  @Test
  void reasonsTakeKubernetesCamelCaseAndMessagesAreBounded() {
    assertThat(NodeConditionBook.camel("cilium-not-in-active-chain")).isEqualTo("CiliumNotInActiveChain");
    assertThat(NodeConditionBook.camel("step-2-rp-filter-fix-not-applied")).isEqualTo("Step2RpFilterFixNotApplied");
    assertThat(NodeConditionBook.camel("--")).isEqualTo("Unspecified");
    assertThat(new NodeConditionBook.Condition("T", "False", "R", "x".repeat(5000)).message())
        .hasSize(NodeConditionBook.MAX_MESSAGE);
  }
}

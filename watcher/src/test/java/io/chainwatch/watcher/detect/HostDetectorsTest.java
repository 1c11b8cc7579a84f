package io.chainwatch.watcher.detect;

import static io.chainwatch.watcher.Fixtures.T0;
import static io.chainwatch.watcher.Fixtures.ciliumConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.config.HostDetectorsConfig;
import io.chainwatch.model.Finding;
import io.chainwatch.model.NodeReport;
import io.chainwatch.model.NodeSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.ResourceRef;
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
import tools.jackson.databind.JsonNode;

/** rp-filter-reset, cilium-health-local-endpoint and probe-silent over node reports. */
class HostDetectorsTest {
  private static final HostDetectorsConfig AUTO = new HostDetectorsConfig("auto", Duration.ofMinutes(5),
      "auto");
  private final RpFilterResetDetector rpFilter = new RpFilterResetDetector(AUTO);
  private final CiliumHealthLocalEndpointDetector health = new CiliumHealthLocalEndpointDetector();
  private final ProbeSilentDetector silent = new ProbeSilentDetector(AUTO);

  private static ClusterState cluster(String routingKey, String routingValue, NodeSnapshot... nodes) {
    ClusterState state = Fixtures.view(nodes);
    if (routingKey != null) {
      state.put(ciliumConfig(routingKey, routingValue));
    }
    return state;
  }

  private static NodeSnapshot node(Map<String, Integer> rpFilter) {
    return Reports.node("n1", Reports.report(T0, "eth0", rpFilter, null));
  }

  private static List<Finding> judge(Detector detector, ClusterState state) {
    return detector.detectAll(state, T0.plusSeconds(10));
  }

  @Test
  void nativeRoutingReportsAStrictUplinkByItsEffectiveValue() {
    List<Finding> ownStrict = judge(rpFilter, cluster("routing-mode", "native", node(Map.of("all", 0, "eth0", 1))));
    List<Finding> strictViaAll = judge(rpFilter, cluster("routing-mode", "native",
        node(Map.of("all", 1, "eth0", 0))));
    List<Finding> loose = judge(rpFilter, cluster("routing-mode", "native", node(Map.of("all", 0, "eth0", 2))));
    List<Finding> looseAllStrictIf = judge(rpFilter, cluster("tunnel", "disabled",
        node(Map.of("all", 2, "eth0", 1))));

    assertThat(ownStrict).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(f.action()).isEqualTo(PlannedAction.PAGE);
      assertThat(f.reason()).isEqualTo("uplink-strict");
      assertThat(f.summary()).contains("systemd-sysctl", "sysctlfix.enabled=false");
      assertThat(f.evidence()).containsEntry("routingModeSignal", "cilium-config routing-mode=native");
    });
    assertThat(strictViaAll).as("max(all=1, eth0=0) is 1").hasSize(1);
    assertThat(loose).isEmpty();
    assertThat(looseAllStrictIf).as("max(2, 1) is 2: loose, fine; older tunnel=disabled means native").isEmpty();
  }

  @Test
  void overlayReportsCiliumInterfacesNotZeroAndIgnoresAStrictUplink() {
    List<Finding> strictLxc = judge(rpFilter, cluster("routing-mode", "tunnel",
        node(Map.of("all", 0, "eth0", 1, "lxc1", 1, "lxc2", 0, "cilium_host", 0))));
    List<Finding> looseOnly = judge(rpFilter, cluster("tunnel", "vxlan",
        node(Map.of("all", 0, "eth0", 1, "lxc1", 2, "lxc_health", 0))));
    List<Finding> viaAll = judge(rpFilter, cluster("routing-mode", "tunnel",
        node(Map.of("all", 1, "lxc1", 0, "cilium_net", 0))));
    List<Finding> clean = judge(rpFilter, cluster("routing-mode", "tunnel",
        node(Map.of("all", 0, "eth0", 1, "lxc1", 0, "cilium_host", 0, "cilium_net", 0))));

    assertThat(strictLxc).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(f.reason()).isEqualTo("cilium-interfaces-filtered");
      assertThat(f.evidence().get("interfaces").toString()).contains("lxc1").doesNotContain("eth0", "lxc2");
    });
    assertThat(looseOnly).singleElement().extracting(Finding::severity).isEqualTo(Severity.WARNING);
    assertThat(viaAll).singleElement().satisfies(f ->
        assertThat(f.evidence().get("filteredInterfaces")).isEqualTo(2));
    assertThat(clean).as("strict uplink in overlay is fine").isEmpty();
  }

  @Test
  void theRepairWritesWhatTheModeNeedsUnderTheKernelsMaxRule() {
    assertThat(Reports.report(T0, "eth0", Map.of("all", 0, "eth0", 1), null).rpFilterRepair(true))
        .containsExactlyEntriesOf(Map.of("eth0", 0));
    assertThat(Reports.report(T0, "eth0", Map.of("all", 1, "eth0", 0), null).rpFilterRepair(true))
        .as("a strict all beats eth0=0: only 2 gets through max(1, 2)").containsExactlyEntriesOf(Map.of("eth0", 2));
    assertThat(Reports.report(T0, "eth0", Map.of("all", 0, "eth0", 2), null).rpFilterRepair(true)).isEmpty();
    assertThat(Reports.report(T0, "eth0", Map.of("all", 1, "eth0", 1, "lxc1", 0, "cilium_net", 0), null)
        .rpFilterRepair(false)).as("overlay: all to 0 is enough, the uplink is left alone")
        .containsExactlyEntriesOf(Map.of("all", 0));
    assertThat(Reports.report(T0, "eth0", Map.of("all", 0, "eth0", 1, "lxc1", 1, "lxc2", 0, "lxc_health", 2), null)
        .rpFilterRepair(false)).containsExactlyInAnyOrderEntriesOf(Map.of("lxc1", 0, "lxc_health", 0));
    assertThat(Reports.report(T0, "eth0", Map.of("all", 0, "eth0", 1, "lxc1", 0), null).rpFilterRepair(false))
        .isEmpty();
  }

  @Test
  void withRepairOnTheFindingPlansARepairAndOtherwiseAPage() {
    RpFilterResetDetector repairing = new RpFilterResetDetector(AUTO, true);
    ClusterState overlay = cluster("routing-mode", "tunnel", node(Map.of("all", 0, "eth0", 1, "lxc1", 1)));

    assertThat(judge(repairing, overlay)).singleElement().satisfies(f -> {
      assertThat(f.action()).isEqualTo(PlannedAction.REPAIR);
      assertThat(f.evidence()).containsEntry("repairInterfaces", 1);
      assertThat((String) f.evidence().get("actionReason")).contains("remediation.rpFilterRepair");
    });
    assertThat(judge(rpFilter, overlay)).singleElement().extracting(Finding::action).isEqualTo(PlannedAction.PAGE);
  }

  @Test
  void theRoutingModeCanBePinnedAndWithoutItOrCiliumConfigTheDetectorIsInactive() {
    ClusterState noConfig = cluster(null, null, node(Map.of("all", 0, "eth0", 1)));
    RpFilterResetDetector pinned = new RpFilterResetDetector(new HostDetectorsConfig("native", Duration.ofMinutes(5),
        "auto"));

    assertThat(rpFilter.inactiveReason(noConfig)).get().asString().contains("routing mode is unknown");
    assertThat(judge(rpFilter, noConfig)).isEmpty();
    assertThat(judge(pinned, noConfig)).singleElement().satisfies(f ->
        assertThat(f.evidence()).containsEntry("routingModeSignal",
            "configured detectors.rp-filter-reset.routingMode=native"));
  }

  private static NodeSnapshot healthNode(String fixture, Map<String, Integer> rpFilter) throws Exception {
    JsonNode local = Reports.localHealth(fixture);
    return Reports.node("n1", Reports.report(T0, "eth0", rpFilter, local));
  }

  @Test
  void anUnreachableLocalEndpointPagesAndSaysWhichTroubleshootingBranchApplies() throws Exception {
    String fixture = "status.v1.18.localhost-endpoint-unreachable.json";
    List<Finding> rpFilterBranch = judge(health, cluster(null, null,
        healthNode(fixture, Map.of("all", 0, "lxc1", 1, "lxc2", 0))));
    List<Finding> otherPaths = judge(health, cluster(null, null,
        healthNode(fixture, Map.of("all", 0, "lxc1", 0, "lxc2", 0))));

    assertThat(rpFilterBranch).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(f.action()).isEqualTo(PlannedAction.PAGE);
      assertThat(f.evidence()).containsEntry("troubleshootingBranch", "step-2-rp-filter-fix-not-applied")
          .containsEntry("reachable", 0).containsEntry("unreachable", 1);
      assertThat(f.summary()).contains("0 of 1", "lxc1=1", "sysctlfix");
    });
    assertThat(otherPaths).singleElement().satisfies(f -> {
      assertThat(f.evidence()).containsEntry("troubleshootingBranch", "step-1-not-rp-filter");
      assertThat(f.summary()).contains("not rp_filter");
    });
  }

  @Test
  void unknownIsNotUnreachableAndChainingHasNoHealthEndpointToJudge() throws Exception {
    Map<String, Integer> values = Map.of("all", 0, "lxc1", 1);

    assertThat(judge(health, cluster(null, null, healthNode("status.v1.18.healthy.json", values)))).isEmpty();
    assertThat(judge(health, cluster(null, null, healthNode(
        "status.v1.14-1.17.localhost-endpoint-unknown-and-remote-unreachable.json", values)))).isEmpty();
    assertThat(judge(health, cluster(null, null, healthNode("status.v1.14-1.17.chaining-no-health-endpoint.json",
        values)))).isEmpty();
    assertThat(judge(health, cluster(null, null, Reports.node("n1", NodeReports.parse(Reports.json(T0, "eth0",
        values, null, "cilium-health socket does not exist")))))).as("cilium-health unreadable").isEmpty();
  }

  @Test
  void bothHostFindingsOnANodeShareAnIncidentGroup() throws Exception {
    ClusterState state = cluster("routing-mode", "tunnel",
        healthNode("status.v1.18.localhost-endpoint-unreachable.json", Map.of("all", 0, "lxc1", 1)));

    Finding filter = judge(rpFilter, state).get(0);
    Finding local = judge(health, state).get(0);

    assertThat(filter.evidence().get("incidentGroup")).isEqualTo(local.evidence().get("incidentGroup"));
    assertThat(filter.node()).isEqualTo(local.node()).isEqualTo("n1");
  }

  @Test
  void aReadyNodeWithoutAFreshReportIsBlindAndSaysSo() {
    NodeSnapshot fresh = Reports.node("fresh", Reports.report(T0, "eth0", Map.of("all", 0), null));
    NodeSnapshot stale = Reports.node("stale", Reports.report(T0.minus(Duration.ofMinutes(16)), "eth0",
        Map.of("all", 0), null));
    NodeSnapshot garbled = Reports.node("garbled", NodeReport.unreadable("chainwatch.io/node-report is not JSON"));
    NodeSnapshot missing = Reports.node("missing", null);
    NodeSnapshot young = new NodeSnapshot("young", T0.minusSeconds(60), true, Map.of(), List.of(), Map.of(), null);
    NodeSnapshot notReady = new NodeSnapshot("down", T0.minusSeconds(7200), false, Map.of(), List.of(), Map.of(),
        null);
    ClusterState state = Fixtures.view(fresh, stale, garbled, missing, young, notReady);

    List<Finding> findings = judge(silent, state);
    Evaluation youngOne = silent.evaluate(ResourceRef.node("young"), state, T0);
    Evaluation freshOne = silent.evaluate(ResourceRef.node("fresh"), state, T0.plusSeconds(10));

    assertThat(findings).extracting(f -> f.resource().name() + ":" + f.reason())
        .containsExactlyInAnyOrder("stale:stale-report", "garbled:unreadable-report", "missing:no-report");
    assertThat(findings).allMatch(f -> f.severity() == Severity.WARNING);
    assertThat(youngOne.findings()).isEmpty();
    assertThat(youngOne.recheckAt()).isEqualTo(T0.minusSeconds(60).plus(Duration.ofMinutes(15)));
    assertThat(freshOne.recheckAt()).isEqualTo(T0.plus(Duration.ofMinutes(15)));
    assertThat(silent.inactiveReason(Fixtures.view(missing))).as("no probe deployed anywhere").isPresent();
  }

  @Test
  void aReportDatedInTheFutureIsNotTrustedToBeFresh() {
    NodeSnapshot forged = Reports.node("forged", Reports.report(Instant.parse("9999-01-01T00:00:00Z"), "eth0",
        Map.of("all", 0), null));
    NodeSnapshot skewed = Reports.node("skewed", Reports.report(T0.plus(Duration.ofMinutes(4)), "eth0",
        Map.of("all", 0), null));
    ClusterState state = Fixtures.view(forged, skewed);

    assertThat(silent.evaluate(ResourceRef.node("forged"), state, T0).findings()).singleElement()
        .satisfies(f -> assertThat(f.reason()).isEqualTo("future-dated-report"));
    assertThat(silent.evaluate(ResourceRef.node("skewed"), state, T0).findings())
        .as("a few minutes of clock skew is not a forgery").isEmpty();
  }

  @Test
  void interfaceEvidenceReadsInOneOrderInEveryProcess() {
    // Map.of iterated in an order that changed from one JVM to the next: scan's text lines differed between runs
    assertThat(HostReports.interfaceEvidence("lxc1a2b", 1, 1).keySet()).containsExactly("interface", "value",
        "effective");
  }

  /** node n1 reporting {@code rpFilter} and where the host's sysctl files set it. */
  private static NodeSnapshot nodeWithSources(Map<String, Integer> rpFilter, boolean ciliumOverride,
      String... assignments) {
    var json = tools.jackson.databind.json.JsonMapper.builder().build();
    var report = (tools.jackson.databind.node.ObjectNode) json.readTree(Reports.json(T0, "eth0", rpFilter, null,
        null));
    var sysctl = report.putObject("sysctl");
    var list = sysctl.putArray("rpFilter");
    for (String assignment : assignments) {
      String[] parts = assignment.split(" ", 4); // file line key value; without a value: a "-key" exclusion
      var entry = list.addObject().put("file", parts[0]).put("line", Integer.parseInt(parts[1])).put("key", parts[2]);
      if (parts.length == 4) {
        entry.put("value", parts[3]);
      } else {
        entry.put("exclude", true);
      }
    }
    sysctl.put("ciliumOverride", ciliumOverride);
    return Reports.node("n1", io.chainwatch.watcher.view.NodeReports.parse(report.toString()));
  }

  @Test
  void aStrictUplinkNamesTheSysctlLineThatSetsIt() {
    NodeSnapshot node = nodeWithSources(Map.of("all", 0, "eth0", 1), false,
        "/usr/lib/sysctl.d/50-default.conf 26 net.ipv4.conf.*.rp_filter 2",
        "/usr/lib/sysctl.d/50-default.conf 27 net.ipv4.conf.all.rp_filter",
        "/etc/sysctl.conf 2 net.ipv4.conf.eth0.rp_filter 1");

    assertThat(judge(rpFilter, cluster("routing-mode", "native", node))).singleElement().satisfies(f -> {
      assertThat(f.evidence()).as("systemd's -net.ipv4.conf.all.rp_filter keeps its glob off all")
          .containsEntry("setBy", Map.of("eth0", "/etc/sysctl.conf:2 net.ipv4.conf.eth0.rp_filter = 1"));
      assertThat(f.summary()).contains("The host's sysctl files set eth0 in /etc/sysctl.conf:2");
      assertThat(f.summary()).as("native routing: the override file is not expected").doesNotContain("missing");
    });
  }

  @Test
  void inOverlayAMissingCiliumOverrideFileIsNamedWithTheGlobThatSetsTheLxcInterfaces() {
    NodeSnapshot missing = nodeWithSources(Map.of("all", 0, "eth0", 1, "lxc1", 2), false,
        "/usr/lib/sysctl.d/50-default.conf 25 net.ipv4.conf.default.rp_filter 2",
        "/usr/lib/sysctl.d/50-default.conf 26 net.ipv4.conf.*.rp_filter 2");
    NodeSnapshot present = nodeWithSources(Map.of("all", 0, "eth0", 1, "lxc1", 2), true,
        "/usr/lib/sysctl.d/50-default.conf 26 net.ipv4.conf.*.rp_filter 2",
        "/etc/sysctl.d/99-zzz-override_cilium.conf 3 net.ipv4.conf.lxc*.rp_filter 0");

    assertThat(judge(rpFilter, cluster("routing-mode", "tunnel", missing))).singleElement().satisfies(f -> {
      assertThat(f.evidence()).containsEntry("ciliumOverrideFile", "missing");
      assertThat(f.summary()).contains("/usr/lib/sysctl.d/50-default.conf:26 net.ipv4.conf.*.rp_filter = 2",
          "99-zzz-override_cilium.conf is missing");
    });
    assertThat(judge(rpFilter, cluster("routing-mode", "tunnel", present))).singleElement().satisfies(f -> {
      assertThat(f.evidence()).containsEntry("ciliumOverrideFile", "present");
      assertThat(f.summary()).as("the file would set 0: something else set the value since")
          .contains("/etc/sysctl.d/99-zzz-override_cilium.conf:3").doesNotContain("is missing");
    });
  }

  @Test
  void withoutSourcesInTheReportTheFindingIsAsBefore() {
    assertThat(judge(rpFilter, cluster("routing-mode", "native", node(Map.of("all", 0, "eth0", 1)))))
        .singleElement().satisfies(f -> assertThat(f.evidence()).doesNotContainKeys("setBy", "ciliumOverrideFile"));
  }
}

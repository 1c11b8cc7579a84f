package io.chainwatch.watcher.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.NodeReport;
import io.chainwatch.watcher.Fixtures;
import io.chainwatch.watcher.Reports;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeReportsTest {
  @Test
  void countsTheLocalHealthEndpointByUpstreamRules() throws Exception {
    NodeReport.LocalHealth unreachable = NodeReports.localHealth(
        Reports.localHealth("status.v1.18.localhost-endpoint-unreachable.json"));
    NodeReport.LocalHealth healthy = NodeReports.localHealth(Reports.localHealth("status.v1.18.healthy.json"));
    NodeReport.LocalHealth unknown = NodeReports.localHealth(
        Reports.localHealth("status.v1.14-1.17.localhost-endpoint-unknown-and-remote-unreachable.json"));
    NodeReport.LocalHealth chaining = NodeReports.localHealth(
        Reports.localHealth("status.v1.14-1.17.chaining-no-health-endpoint.json"));

    assertThat(unreachable).isEqualTo(new NodeReport.LocalHealth(true, 0, 1, 0,
        java.util.List.of("172.16.1.23: Connection timed out")));
    assertThat(healthy.reachable()).isPositive();
    assertThat(healthy.unreachable()).isZero();
    assertThat(unknown).as("no icmp result: unknown, not unreachable")
        .isEqualTo(new NodeReport.LocalHealth(true, 0, 0, 1, java.util.List.of()));
    assertThat(chaining.endpointPresent()).isFalse();
  }

  @Test
  void readsTheContractAndAppliesMaxOfAllAndTheInterface() {
    NodeReport report = Reports.report(Fixtures.T0, "eth0", Map.of("all", 1, "eth0", 0, "lxc1", 2), null);

    assertThat(report.problem()).isNull();
    assertThat(report.observedAt()).isEqualTo(Fixtures.T0);
    assertThat(report.effectiveRpFilter("eth0")).isEqualTo(1);
    assertThat(report.effectiveRpFilter("lxc1")).isEqualTo(2);
    assertThat(report.effectiveRpFilter("lxc9")).isNull();
    assertThat(report.health()).isNull();
  }

  @Test
  void aReportThatDoesNotFitIsKeptAsUnreadableNamingTheField() {
    assertThat(NodeReports.parse("not json").problem()).contains("is not JSON");
    assertThat(NodeReports.parse("{\"version\":2}").problem()).contains("version must be 1, got 2");
    assertThat(NodeReports.parse("{\"version\":1,\"observedAt\":\"yesterday\",\"rpFilter\":{}}").problem())
        .contains("observedAt must be an RFC 3339 time");
    assertThat(NodeReports.parse("{\"version\":1,\"observedAt\":\"2026-11-23T04:00:00Z\",\"rpFilter\":"
        + "{\"eth0\":\"strict\"}}").problem()).contains("rpFilter.eth0 must be 0, 1 or 2");
    assertThat(NodeReports.parse("x".repeat(300_000)).problem()).contains("more than");
  }

  @Test
  void malformedCniOrSysctlElementsAreNamedOrLeftOutNeverTrusted() {
    String base = "{\"version\":1,\"observedAt\":\"2026-11-30T10:00:00Z\",\"uplink\":\"eth0\",\"rpFilter\":{},";
    var notAnObject = NodeReports.parse(base + "\"cni\":[1,2],\"sysctl\":\"x\"}");
    var badCilium = NodeReports.parse(base + "\"cni\":{\"file\":\"a.conf\",\"plugins\":[],\"cilium\":\"no\"}}");
    var badTime = NodeReports.parse(base + "\"cni\":{\"file\":\"a.conf\",\"plugins\":[\"x\"],\"cilium\":false,"
        + "\"modifiedAt\":\"yesterday\"},\"sysctl\":{\"rpFilter\":[{\"file\":1}]}}");

    org.assertj.core.api.Assertions.assertThat(notAnObject.problem()).isNull();
    org.assertj.core.api.Assertions.assertThat(notAnObject.cni().error()).contains("cni must be an object");
    org.assertj.core.api.Assertions.assertThat(notAnObject.cni().leavesCiliumOut()).isFalse();
    org.assertj.core.api.Assertions.assertThat(notAnObject.sysctl()).isNull();
    org.assertj.core.api.Assertions.assertThat(badCilium.cni().error()).contains("cni.cilium", "\"no\"");
    org.assertj.core.api.Assertions.assertThat(badTime.cni().error()).contains("yesterday");
    org.assertj.core.api.Assertions.assertThat(badTime.cni().leavesCiliumOut()).isFalse();
    org.assertj.core.api.Assertions.assertThat(badTime.sysctl()).isNull();
  }

  @Test
  void theAgentsEndpointsAreReadAndAMalformedSectionIsAnErrorNeverAList() {
    String base = "{\"version\":1,\"observedAt\":\"2026-11-30T10:00:00Z\",\"uplink\":\"eth0\",\"rpFilter\":{},";
    NodeReport.AgentEndpoints read = NodeReports.parse(base + "\"endpoints\":{\"total\":3,\"byState\":{\"ready\":2,"
        + "\"not-ready\":1},\"notReady\":[{\"id\":7,\"pod\":\"shop/a-0\",\"state\":\"not-ready\",\"since\":"
        + "\"2026-11-30T09:00:00Z\",\"sinceFrom\":\"probe\"}],\"pods\":[\"shop/a-0\",\"shop/b-0\"]}}").endpoints();
    assertThat(read.complete()).isTrue();
    assertThat(read.manages("shop", "b-0")).isTrue();
    assertThat(read.notReadyOf("shop", "a-0")).get().extracting(NodeReport.AgentEndpoint::state).isEqualTo("not-ready");

    NodeReport.AgentEndpoints cut = NodeReports.parse(base + "\"endpoints\":{\"total\":3,\"notReady\":[],"
        + "\"pods\":[\"shop/a-0\"],\"podsOmitted\":2}}").endpoints();
    assertThat(cut.complete()).as("a cut list proves no pod unmanaged").isFalse();

    assertThat(NodeReports.parse(base + "\"endpoints\":{\"error\":\"refused\"}}").endpoints().error())
        .isEqualTo("refused");
    assertThat(NodeReports.parse(base + "\"endpoints\":[1]}").endpoints().error()).contains("must be an object");
    assertThat(NodeReports.parse(base + "\"endpoints\":{\"total\":1,\"notReady\":[],\"pods\":[\"no-slash\"]}}")
        .endpoints().error()).contains("endpoints.pods[] must be namespace/name, got \"no-slash\"");
    assertThat(NodeReports.parse(base + "\"endpoints\":{\"total\":1,\"pods\":[],\"notReady\":[{\"id\":1,"
        + "\"state\":\"x\",\"since\":\"soon\"}]}}").endpoints().error()).contains("since must be an RFC 3339 time");
    assertThat(NodeReports.parse(base + "\"rpFilter2\":1}").endpoints()).as("an older probe: no section").isNull();
  }
}

package io.chainwatch.notifier.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.BreakerChange;
import io.chainwatch.model.BusMessage;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.Decision;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingCleared;
import io.chainwatch.model.Incident;
import io.chainwatch.model.IncidentChange;
import io.chainwatch.model.NamespaceSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.RemediationDecision;
import io.chainwatch.model.RemediationOutcome;
import io.chainwatch.model.RemediationRule;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CloudEventMapperTest {
  static final Instant T0 = Instant.parse("2026-11-23T04:00:00Z");
  private final AtomicInteger ids = new AtomicInteger();
  private final CloudEventMapper mapper = new CloudEventMapper("prod", () -> "id-" + ids.incrementAndGet());

  static Finding finding() {
    return new Finding("missed-cilium-chain", ResourceRef.pod("shop", "web-1"), "n1", Severity.CRITICAL,
        PlannedAction.RESTART, "no-endpoint", "missed the chain", T0,
        Map.of("podUid", "u1", "chainRace", true, "secondsBeforeAgentReady", 3, "pods", List.of("a", "b")));
  }

  static IncidentChange incidentChange() {
    Incident incident = new Incident("prod-abc-1", "missed-cilium-chain:node/n1", "missed-cilium-chain", "prod",
        Severity.CRITICAL, Incident.State.ACTING, "Pods missed the Cilium chain on node n1 (1 pod)", "n1",
        List.of("Pod/shop/web-1"), 1, "missed the chain", List.of("podUid: u1"), "evicting", null, false, T0, T0,
        null);
    return new IncidentChange(incident, IncidentChange.Kind.ACTING, "evicting shop/web-1", true, false, List.of(),
        T0);
  }

  /** rp-filter-reset with the opt-in repair: action repair on a Node. */
  static Finding repairFinding() {
    return new Finding("rp-filter-reset", io.chainwatch.model.ResourceRef.node("n1"), "n1", Severity.CRITICAL,
        io.chainwatch.model.PlannedAction.REPAIR, "cilium-interfaces-filtered", "rp_filter is 1 on lxc1a2b", T0,
        Map.of("routingMode", "tunnel"));
  }

  static List<BusMessage> everyAuditedRecord() {
    Finding finding = finding();
    return List.of(
        finding,
        new FindingCleared(finding, T0),
        new RemediationDecision(finding, new Decision.Wait(RemediationRule.OWNER_IN_FLIGHT, "one at a time",
            T0.plusSeconds(60)), false, T0),
        new RemediationDecision(finding, new Decision.Evict(RemediationRule.ELIGIBLE, "go"), true, T0),
        new RemediationOutcome(finding, RemediationOutcome.Result.BUDGET_REFUSED, "refused",
            Map.of("httpStatus", 429, "budget", "web-pdb"), T0),
        repairFinding(),
        new RemediationDecision(repairFinding(), new Decision.Repair(RemediationRule.ELIGIBLE, "ask the probe"),
            false, T0),
        new RemediationOutcome(repairFinding(), RemediationOutcome.Result.REPAIR_REQUESTED, "asked",
            Map.of("requestId", "r-1", "rpFilter", Map.of("lxc1a2b", 0)), T0),
        new RemediationOutcome(repairFinding(), RemediationOutcome.Result.WOULD_REPAIR, "dry-run", Map.of(), T0),
        new BreakerChange(true, "storm", Map.of("podsCounted", 200), T0, T0.plusSeconds(3600)),
        new BreakerChange(false, "reset", Map.of(), T0, null),
        incidentChange(),
        new io.chainwatch.model.PersonAction("U1:chainwatch.silence.4h:1.2", io.chainwatch.model.PersonAction.Kind.SILENCE,
            "prod-abc-1", null, 4, "U1", "alice", true, T0),
        new io.chainwatch.model.PersonAction("U9:chainwatch.approve:1.3", io.chainwatch.model.PersonAction.Kind.APPROVE,
            "prod-abc-1", "a-1", 0, "U9", "mallory", false, T0),
        new io.chainwatch.model.ApprovalChange("a-1", finding, io.chainwatch.model.ApprovalChange.State.APPROVED,
            "evict Pod/shop/web-1: go", "<@U1>", "approved by <@U1>", T0.plusSeconds(1800), T0));
  }

  @Test
  void clicksAndApprovalsAreAuditedWithTheSlackUser() {
    JsonObject refused = mapper.audit(new io.chainwatch.model.PersonAction("U9:chainwatch.approve:1.3",
        io.chainwatch.model.PersonAction.Kind.APPROVE, "prod-abc-1", "a-1", 0, "U9", "mallory", false, T0),
        "prod-abc-1").orElseThrow();

    assertThat(refused.getString("type")).isEqualTo("io.chainwatch.action.v1");
    assertThat(refused.getString("subject")).isEqualTo("Incident/prod-abc-1");
    assertThat(refused.getJsonObject("data").getJsonObject("user").encode())
        .isEqualTo("{\"id\":\"U9\",\"name\":\"mallory\"}");
    assertThat(refused.getJsonObject("data").getBoolean("allowed")).isFalse();
    JsonObject approval = mapper.audit(new io.chainwatch.model.ApprovalChange("a-1", finding(),
        io.chainwatch.model.ApprovalChange.State.EXPIRED, "evict", null, "nobody answered", T0, T0), "k").orElseThrow();
    assertThat(approval.getString("type")).isEqualTo("io.chainwatch.remediation.approval.v1");
    assertThat(approval.getJsonObject("data").getString("state")).isEqualTo("expired");
  }

  @Test
  void everyAuditedRecordIsAValidCloudEventAgainstThePublishedSchema() {
    for (BusMessage record : everyAuditedRecord()) {
      JsonObject event = mapper.audit(record, "prod-abc-1").orElseThrow();

      assertThat(RecordSchema.errors(event.encode())).as(event.encodePrettily()).isEmpty();
      assertThat(event.getString("specversion")).isEqualTo("1.0");
      assertThat(event.getString("source")).isEqualTo("/chainwatch/prod");
      assertThat(event.getString("chainwatchincident")).isEqualTo("prod-abc-1");
      assertThat(event.getJsonObject("data").getInteger("schemaVersion")).isEqualTo(1);
    }
    assertThat(RecordSchema.errors(mapper.page(incidentChange()).encode())).isEmpty();
  }

  @Test
  void typesSubjectsAndIdsAreWhatConsumersKeyOn() {
    JsonObject finding = mapper.audit(finding(), "k").orElseThrow();
    JsonObject page = mapper.page(incidentChange());

    assertThat(finding.getString("type")).isEqualTo("io.chainwatch.finding.v1");
    assertThat(finding.getString("subject")).isEqualTo("Pod/shop/web-1");
    assertThat(finding.getString("time")).isEqualTo("2026-11-23T04:00:00Z");
    assertThat(finding.getJsonObject("data").getJsonObject("evidence").getInteger("secondsBeforeAgentReady"))
        .isEqualTo(3);
    assertThat(page.getString("type")).isEqualTo("io.chainwatch.page.v1");
    assertThat(page.getString("subject")).isEqualTo("Incident/prod-abc-1");
    assertThat(finding.getString("id")).isNotEqualTo(page.getString("id"));
  }

  @Test
  void clusterChangesAreNotAudited() {
    assertThat(mapper.audit(new ClusterChange(new ResourceRef("Namespace", null, "shop"), null,
        new NamespaceSnapshot("shop", false)), "k")).isEmpty();
  }

  @Test
  void theSchemaRejectsARecordThatBreaksTheContract() {
    JsonObject event = mapper.audit(finding(), "k").orElseThrow();
    event.remove("id");
    event.getJsonObject("data").put("severity", "apocalyptic");

    assertThat(RecordSchema.errors(event.encode())).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void everyRecordCarriesItsFleetFactsAsExtensionsAndTheSameAsKafkaHeaders() {
    io.chainwatch.model.NodeFacts n1 = new io.chainwatch.model.NodeFacts("n1", "np-web", "Ubuntu 22.04.4 LTS",
        "5.15.0-1057-aws", "v1.30.2", "1.16.5");
    io.chainwatch.notifier.incident.DetectorTexts texts = io.chainwatch.notifier.incident.DetectorTexts.of(Map.of(
        "rp-filter-reset", new io.chainwatch.model.DetectorText("Host rp_filter drops pod traffic", "",
            io.chainwatch.model.FleetDimension.OS_IMAGE),
        "missed-cilium-chain", new io.chainwatch.model.DetectorText("Pods missed the Cilium chain", "",
            io.chainwatch.model.FleetDimension.NODE_POOL)));
    CloudEventMapper withFacts = new CloudEventMapper("prod", () -> "id-" + ids.incrementAndGet(), texts,
        node -> "n1".equals(node) ? n1 : io.chainwatch.model.NodeFacts.unknown(node, "1.16.5"));

    JsonObject rp = withFacts.audit(repairFinding(), "inc-1").orElseThrow();
    assertThat(rp.getString("chainwatchcluster")).isEqualTo("prod");
    assertThat(rp.getString("chainwatchdetector")).isEqualTo("rp-filter-reset");
    assertThat(rp.getString("chainwatchreason")).isEqualTo("cilium-interfaces-filtered");
    assertThat(rp.getString("chainwatchnode")).isEqualTo("n1");
    assertThat(rp.getString("chainwatchnodepool")).isEqualTo("np-web");
    assertThat(rp.getString("chainwatchosimage")).isEqualTo("Ubuntu 22.04.4 LTS");
    assertThat(rp.getString("chainwatchkernel")).isEqualTo("5.15.0-1057-aws");
    assertThat(rp.getString("chainwatchkubelet")).isEqualTo("v1.30.2");
    assertThat(rp.getString("chainwatchcilium")).isEqualTo("1.16.5");
    // the OS image explains rp_filter resets across clusters; the pool explains the chain race
    assertThat(rp.getString("chainwatchcause")).isEqualTo("rp-filter-reset/cilium-interfaces-filtered/os-image="
        + "Ubuntu 22.04.4 LTS");
    assertThat(withFacts.audit(finding(), "inc-2").orElseThrow().getString("chainwatchcause"))
        .isEqualTo("missed-cilium-chain/no-endpoint/node-pool=np-web");
    assertThat(CloudEventMapper.headers(rp)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "chainwatch-cluster", "prod", "chainwatch-detector", "rp-filter-reset",
        "chainwatch-reason", "cilium-interfaces-filtered", "chainwatch-node", "n1", "chainwatch-nodepool", "np-web",
        "chainwatch-osimage", "Ubuntu 22.04.4 LTS", "chainwatch-kernel", "5.15.0-1057-aws",
        "chainwatch-kubelet", "v1.30.2", "chainwatch-cilium", "1.16.5",
        "chainwatch-cause", "rp-filter-reset/cilium-interfaces-filtered/os-image=Ubuntu 22.04.4 LTS"));
    for (BusMessage record : everyAuditedRecord()) {
      JsonObject event = withFacts.audit(record, "inc-1").orElseThrow();
      assertThat(RecordSchema.errors(event.encode())).as(event.encodePrettily()).isEmpty();
      assertThat(event.getString("chainwatchcluster")).isEqualTo("prod");
    }
    // an incident has no one reason; a node nothing is known about says so in its fingerprint
    JsonObject incident = withFacts.page(incidentChange());
    assertThat(incident.getString("chainwatchcause")).isEqualTo("missed-cilium-chain//node-pool=np-web");
    assertThat(incident.containsKey("chainwatchreason")).isFalse();
    Finding elsewhere = new Finding("rp-filter-reset", ResourceRef.node("n9"), "n9", Severity.CRITICAL,
        PlannedAction.PAGE, "uplink-strict", "s", T0, Map.of());
    JsonObject unknown = withFacts.audit(elsewhere, "inc-3").orElseThrow();
    assertThat(unknown.getString("chainwatchcause")).isEqualTo("rp-filter-reset/uplink-strict/os-image=unknown");
    assertThat(unknown.containsKey("chainwatchosimage")).isFalse();
    assertThat(RecordSchema.errors(unknown.encode())).isEmpty();
  }
}

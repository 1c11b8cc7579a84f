package io.chainwatch.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainwatch.model.Incident;
import io.chainwatch.model.IncidentChange;
import io.chainwatch.model.Severity;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a fleet incident record becomes for the notifiers, and the notifiers' settings. */
class FleetPagersTest {
  private static final String CAUSE = "rp-filter-reset/cilium-interfaces-filtered/os-image=Ubuntu 22.04.4 LTS";

  private static String record(String change, JsonArray clusters, JsonArray linked, Long dimensionNodes) {
    JsonObject perCluster = new JsonObject();
    for (int i = 0; i < linked.size(); i++) {
      String cluster = linked.getString(i).split("/", 2)[0];
      perCluster.put(cluster, perCluster.getInteger(cluster, 0) + 1);
    }
    JsonObject summary = new JsonObject().put("clusters", perCluster).put("nodes", linked.size())
        .put("critical", linked.size()).put("clusterList", clusters).put("rules", new JsonArray().add("clusters"))
        .put("since", "2026-12-01T10:00:00Z").put("id", "abc");
    JsonObject listed = new JsonObject().put("listed", new JsonArray(linked.getList().subList(0,
        Math.min(FleetCorrelator.MAX_LINKED, linked.size())))).put("count", linked.size());
    return FleetCorrelator.incident(CAUSE, summary, change, "2026-12-01T10:05:00Z", listed, dimensionNodes).encode();
  }

  @Test
  void anOpenedFleetIncidentIsAnEscalatedCriticalIncidentOfTheFleetNamingTheCauseAndTheClusters() {
    IncidentChange change = FleetPagers.change(record("opened", new JsonArray().add("prod").add("staging"),
        new JsonArray().add("prod/p-1").add("prod/p-2").add("staging/s-1"), 40L)).orElseThrow();
    Incident incident = change.incident();
    assertThat(change.kind()).isEqualTo(IncidentChange.Kind.OPENED);
    assertThat(change.pages()).isTrue();
    assertThat(change.mention()).isTrue();
    assertThat(incident.id()).isEqualTo("fleet-abc");
    assertThat(incident.cluster()).isEqualTo("fleet");
    assertThat(incident.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(incident.state()).isEqualTo(Incident.State.ESCALATED);
    assertThat(incident.title()).isEqualTo("Fleet: rp-filter-reset in 2 clusters (os-image=Ubuntu 22.04.4 LTS)");
    assertThat(incident.summary()).isEqualTo("One cause, " + CAUSE + ", is open in prod, staging: 3 findings on 3 "
        + "nodes, 7.5 % of the fleet's 40 os-image=Ubuntu 22.04.4 LTS nodes.");
    assertThat(incident.cause()).contains("clusters: prod, staging",
        "nodes: 3 (7.5 % of the fleet's 40 os-image=Ubuntu 22.04.4 LTS nodes)",
        "linked incidents: prod/p-1, prod/p-2, staging/s-1");
    assertThat(incident.needsPerson()).contains("the os-image, not node by node");
  }

  @Test
  void aResolvedOneResolvesAndManyLinkedIncidentsAreCut() {
    JsonArray linked = new JsonArray();
    for (int i = 0; i < 30; i++) {
      linked.add("c" + i + "/inc-" + i);
    }
    IncidentChange change = FleetPagers.change(record("resolved", new JsonArray().add("prod"), linked, null))
        .orElseThrow();
    assertThat(change.kind()).isEqualTo(IncidentChange.Kind.RESOLVED);
    assertThat(change.incident().state()).isEqualTo(Incident.State.RESOLVED);
    assertThat(change.incident().resolvedAt()).isNotNull();
    assertThat(change.incident().needsPerson()).isNull();
    assertThat(change.mention()).isFalse();
    assertThat(change.incident().cause()).anySatisfy(line -> assertThat(line).startsWith("linked incidents: ")
        .endsWith(" and 10 more"));
    assertThat(change.incident().cause()).contains("nodes: 30");
  }

  @Test
  void anythingElseOnTheTopicIsSkipped() {
    assertThat(FleetPagers.change(null)).isEmpty();
    assertThat(FleetPagers.change("not json")).isEmpty();
    assertThat(FleetPagers.change("[1]")).isEmpty();
    assertThat(FleetPagers.change(new JsonObject().put("type", "io.chainwatch.finding.v1").encode())).isEmpty();
    assertThat(FleetPagers.change(new JsonObject().put("type", FleetTopology.FLEET_INCIDENT)
        .put("time", "yesterday").put("data", new JsonObject().put("incident", "x").put("change", "opened"))
        .encode())).isEmpty();
    assertThat(FleetPagers.change("x".repeat(2_000_000))).isEmpty();
  }

  @Test
  void theNotifiersSettingsAreCheckedAndNamed() {
    assertThat(FleetPagers.Config.fromEnv(Map.of()).any()).isFalse();
    assertThatThrownBy(() -> FleetPagers.Config.fromEnv(Map.of("CHAINWATCH_FLEET_SLACK_TOKEN_FILE", "/t")))
        .hasMessageContaining("CHAINWATCH_FLEET_SLACK_CHANNEL must name the channel");
    assertThatThrownBy(() -> FleetPagers.Config.fromEnv(Map.of("CHAINWATCH_FLEET_SLACK_CHANNEL", "#fleet")))
        .hasMessageContaining("CHAINWATCH_FLEET_SLACK_TOKEN_FILE").hasMessageContaining("#fleet");
    assertThatThrownBy(() -> FleetPagers.Config.fromEnv(Map.of("CHAINWATCH_FLEET_PAGERDUTY_API_URL", "ftp://x")))
        .hasMessageContaining("CHAINWATCH_FLEET_PAGERDUTY_API_URL must be an http(s) URL, got \"ftp://x\"");
    assertThatThrownBy(() -> FleetPagers.Config.fromEnv(Map.of("CHAINWATCH_FLEET_SLACK_API_URL",
        "http://slack.local/api"))).hasMessageContaining("must end with /");
    assertThat(FleetPagers.Config.fromEnv(Map.of("CHAINWATCH_FLEET_OPSGENIE_API_KEY_FILE", "/k")).any()).isTrue();
  }
}

package io.chainwatch.notifier.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.config.RoutingRule;
import io.chainwatch.model.Incident;
import io.chainwatch.model.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The router: first match wins, every criterion must hold, and what no rule takes goes to the defaults. */
class IncidentRouterTest {
  private static final Instant T0 = Instant.parse("2026-11-30T04:00:00Z");
  private static final Route DEFAULTS = new Route(Route.DEFAULT, "#platform", "", true, List.of("team:platform"));

  /** payments and checkout belong to team payments; search to team search; node n-gpu is in pool gpu-a100. */
  private static final RoutingFacts FACTS = new RoutingFacts() {
    @Override
    public Map<String, String> namespaceLabels(String namespace) {
      return switch (namespace) {
        case "payments", "checkout" -> Map.of("team", "payments");
        case "search" -> Map.of("team", "search");
        default -> Map.of();
      };
    }

    @Override
    public Optional<String> nodePool(String node) {
      return node.equals("n-gpu") ? Optional.of("gpu-a100") : Optional.empty();
    }
  };

  private static final IncidentRouter ROUTER = new IncidentRouter(RoutingRule.parse("""
      - name: payments-critical
        match: {namespaceLabels: {team: payments}, severities: [critical]}
        slackChannel: "#payments-oncall"
        pagerdutyRoutingKeyFile: /etc/chainwatch/pagerduty/payments
      - name: payments-rest
        match: {namespaceLabels: {team: payments}}
        slackChannel: "#payments"
      - name: gpu
        match: {nodePools: [gpu-a100]}
        opsgenieResponders: ["team:gpu-infra"]
      - name: ipam-to-network
        match: {detectors: [ipam-exhausted, ipam-near-exhaustion]}
        slackChannel: "#network"
      - name: sandbox-quiet
        match: {namespaces: [sandbox]}
        quiet: true
      """), DEFAULTS);

  private static Incident incident(String detector, Severity severity, String node, String... subjects) {
    return new Incident("i-1", detector + ":x", detector, "prod", severity, Incident.State.OPEN, "t", node,
        List.of(subjects), subjects.length, "s", List.of(), "a", null, false, T0, T0, null);
  }

  @Test
  void aTeamsCriticalPodIncidentGoesToItsPager() {
    Route route = ROUTER.routeFor(incident("endpoint-stuck", Severity.CRITICAL, "n1", "Pod/payments/api-0"), FACTS);

    assertThat(route.rule()).isEqualTo("payments-critical");
    assertThat(route.slackChannel()).isEqualTo("#payments-oncall");
    assertThat(route.pagerdutyRoutingKeyFile()).isEqualTo("/etc/chainwatch/pagerduty/payments");
    assertThat(route.opsgenie()).as("the rule names no Opsgenie responder: no Opsgenie alert").isFalse();
  }

  @Test
  void firstMatchWinsAndAWarningDoesNotPageTheTeam() {
    Route route = ROUTER.routeFor(incident("endpoint-stuck", Severity.WARNING, "n1", "Pod/checkout/web-1"), FACTS);

    assertThat(route.rule()).isEqualTo("payments-rest");
    assertThat(route.pagerdutyRoutingKeyFile()).as("must not page: the critical rule did not match").isNull();
  }

  @Test
  void aNodeCauseTouchingSeveralTeamsIsNoTeamsPage() {
    Route route = ROUTER.routeFor(incident("missed-cilium-chain", Severity.CRITICAL, "n1", "Node/n1",
        "Pod/payments/api-0", "Pod/search/indexer-2"), FACTS);

    assertThat(route.rule()).as("must not route to payments: search's pod is in it too").isEqualTo(Route.DEFAULT);
    assertThat(route.slackChannel()).isEqualTo("#platform");
  }

  @Test
  void aClusterScopedIncidentNeverMatchesNamespaceCriteria() {
    Route route = ROUTER.routeFor(incident("rp-filter-reset", Severity.CRITICAL, "n1", "Node/n1"), FACTS);

    assertThat(route.rule()).isEqualTo(Route.DEFAULT);
  }

  @Test
  void nodePoolsComeFromTheNodesPoolLabel() {
    assertThat(ROUTER.routeFor(incident("rp-filter-reset", Severity.CRITICAL, "n-gpu", "Node/n-gpu"), FACTS).rule())
        .isEqualTo("gpu");
    Route gpu = ROUTER.routeFor(incident("rp-filter-reset", Severity.WARNING, "n-gpu", "Node/n-gpu"), FACTS);
    assertThat(gpu.opsgenieResponders()).containsExactly("team:gpu-infra");
    assertThat(gpu.slackChannel()).as("the rule names no Slack channel").isNull();
    assertThat(ROUTER.routeFor(incident("rp-filter-reset", Severity.CRITICAL, null, "Component/x"), FACTS).rule())
        .as("no node: a pool criterion cannot hold").isEqualTo(Route.DEFAULT);
  }

  @Test
  void detectorsAndQuietRules() {
    assertThat(ROUTER.routeFor(incident("ipam-exhausted", Severity.CRITICAL, "n1", "Node/n1"), FACTS).slackChannel())
        .isEqualTo("#network");
    Route quiet = ROUTER.routeFor(incident("endpoint-stuck", Severity.CRITICAL, "n1", "Pod/sandbox/x"), FACTS);
    assertThat(quiet.rule()).isEqualTo("sandbox-quiet");
    assertThat(quiet.slackChannel()).isNull();
    assertThat(quiet.pagerdutyRoutingKeyFile()).isNull();
    assertThat(quiet.opsgenie()).isFalse();
  }

  @Test
  void aNamespaceWithoutLabelsOrUnknownToTheViewDoesNotMatchALabelRule() {
    assertThat(ROUTER.routeFor(incident("endpoint-stuck", Severity.CRITICAL, "n1", "Pod/unlabelled/x"), FACTS)
        .rule()).isEqualTo(Route.DEFAULT);
    assertThat(ROUTER.routeFor(incident("endpoint-stuck", Severity.CRITICAL, "n1", "Pod/payments/x"),
        RoutingFacts.none()).rule()).isEqualTo(Route.DEFAULT);
  }

  @Test
  void aWildcardLabelValueMatchesAnyValueButNeedsTheLabel() {
    IncidentRouter anyTeam = new IncidentRouter(RoutingRule.parse(
        "[{name: teams, match: {namespaceLabels: {team: '*'}}, slackChannel: '#teams'}]"), DEFAULTS);
    assertThat(anyTeam.routeFor(incident("endpoint-stuck", Severity.WARNING, "n1", "Pod/search/x"), FACTS).rule())
        .isEqualTo("teams");
    assertThat(anyTeam.routeFor(incident("endpoint-stuck", Severity.WARNING, "n1", "Pod/other/x"), FACTS).rule())
        .isEqualTo(Route.DEFAULT);
  }
}

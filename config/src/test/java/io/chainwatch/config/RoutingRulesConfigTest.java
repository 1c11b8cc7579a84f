package io.chainwatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainwatch.model.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routing rules: read from YAML in the file or JSON in the environment, every mistake named by rule and field. */
class RoutingRulesConfigTest {
  @TempDir Path dir;

  private static final Map<String, String> CHANNELS_ON = Map.of(
      "CHAINWATCH_SLACK_TOKEN_FILE", "/etc/chainwatch/slack/token", "CHAINWATCH_SLACK_CHANNEL", "#platform",
      "CHAINWATCH_PAGERDUTY_ROUTING_KEY_FILE", "/etc/chainwatch/pagerduty/default",
      "CHAINWATCH_OPSGENIE_API_KEY_FILE", "/etc/chainwatch/opsgenie/key");

  @Test
  void rulesAreReadFromTheFileInOrder() throws Exception {
    Path file = Files.writeString(dir.resolve("config.yaml"), """
        routing:
          rules:
            - name: payments
              match:
                namespaceLabels: {team: payments}
                severities: [critical]
              slackChannel: "#payments-oncall"
              pagerdutyRoutingKeyFile: /etc/chainwatch/pagerduty/payments
              opsgenieResponders: ["team:payments", "user:alice@example.com"]
            - name: gpu-pool
              match: {nodePools: [gpu-a100], detectors: [rp-filter-reset]}
              slackChannel: "#gpu"
            - name: dev-is-quiet
              match: {namespaces: [dev, sandbox]}
              quiet: true
        """);

    List<RoutingRule> rules = ConfigLoader.load(file, CHANNELS_ON).value(Settings.ROUTING_RULES);

    assertThat(rules).extracting(RoutingRule::name).containsExactly("payments", "gpu-pool", "dev-is-quiet");
    RoutingRule payments = rules.get(0);
    assertThat(payments.match().namespaceLabels()).containsExactly(Map.entry("team", "payments"));
    assertThat(payments.match().severities()).containsExactly(Severity.CRITICAL);
    assertThat(payments.slackChannel()).isEqualTo("#payments-oncall");
    assertThat(payments.pagerdutyRoutingKeyFile()).isEqualTo("/etc/chainwatch/pagerduty/payments");
    assertThat(payments.opsgenieResponders()).containsExactly("team:payments", "user:alice@example.com");
    assertThat(rules.get(1).match().nodePools()).containsExactly("gpu-a100");
    assertThat(rules.get(2).quiet()).isTrue();
    assertThat(rules.get(2).slackChannel()).isNull();
  }

  @Test
  void theEnvironmentCarriesTheSameRulesAsJson() {
    Map<String, String> env = new java.util.HashMap<>(CHANNELS_ON);
    env.put("CHAINWATCH_ROUTING_RULES", "[{\"name\": \"payments\", \"match\": {\"namespaces\": [\"payments\"]}, "
        + "\"slackChannel\": \"C0PAYMENTS\"}]");

    List<RoutingRule> rules = ConfigLoader.load(null, env).value(Settings.ROUTING_RULES);

    assertThat(rules).singleElement().satisfies(rule -> {
      assertThat(rule.match().namespaces()).containsExactly("payments");
      assertThat(rule.slackChannel()).isEqualTo("C0PAYMENTS");
    });
  }

  @Test
  void mistakesAreNamedByRuleAndField() {
    assertThat(problem("[{name: a, match: {severities: [urgent]}, slackChannel: x}]"))
        .isEqualTo("CHAINWATCH_ROUTING_RULES: rule [0] \"a\": match.severities has \"urgent\"; use critical, warning "
            + "or info");
    assertThat(problem("[{name: a, match: {}, slackChannel: x}]"))
        .startsWith("CHAINWATCH_ROUTING_RULES: rule [0] \"a\": match names no criterion");
    assertThat(problem("[{name: a, match: {namespaces: [x]}}]"))
        .startsWith("CHAINWATCH_ROUTING_RULES: rule [0] \"a\" names no destination");
    assertThat(problem("[{name: a, match: {namespaces: [x]}, slackChannel: x}, {name: a, match: {namespaces: [y]}, "
        + "quiet: true}]")).isEqualTo("CHAINWATCH_ROUTING_RULES: rule [1] has the name \"a\" of an earlier rule; "
            + "names must be unique");
    assertThat(problem("[{name: a, match: {namespaces: [x]}, opsgenieResponders: [payments]}]"))
        .contains("opsgenieResponders has \"payments\"; write type:name");
    assertThat(problem("[{name: a, match: {namespace: [x]}, slackChannel: x}]"))
        .contains("unknown key match.namespace (known: detectors, namespaceLabels, namespaces, nodePools, severities)");
    assertThat(problem("[{name: a, match: {namespaces: [x]}, pagerdutyRoutingKeyFile: R0123456789abcdef}]"))
        .contains("pagerdutyRoutingKeyFile must be a file path").doesNotContain("R0123456789abcdef");
    assertThat(problem("{name: a}")).isEqualTo("CHAINWATCH_ROUTING_RULES: must be a list of rules, got a mapping");
  }

  @Test
  void aRuleMustSendOnlyWhereAChannelIsOn() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CHAINWATCH_ROUTING_RULES",
        "[{name: payments, match: {namespaces: [payments]}, pagerdutyRoutingKeyFile: /etc/pd/payments}]")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "routing.rules[0] \"payments\" sends to PagerDuty but PagerDuty is off (pagerduty.routingKeyFile)"));
  }

  private static String problem(String rules) {
    Map<String, String> env = new java.util.HashMap<>(CHANNELS_ON);
    env.put("CHAINWATCH_ROUTING_RULES", rules);
    try {
      ConfigLoader.load(null, env);
    } catch (ConfigException e) {
      assertThat(e.problems()).hasSize(1);
      return e.problems().get(0);
    }
    throw new AssertionError("accepted: " + rules);
  }
}

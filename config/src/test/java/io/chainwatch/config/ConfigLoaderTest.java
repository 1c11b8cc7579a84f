package io.chainwatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private Path yaml(String text) throws Exception {
    Path file = dir.resolve("chainwatch.yaml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void defaultsMatchTheDocumentedValues() {
    ChainwatchConfig config = ChainwatchConfig.defaults();

    assertThat(config.ciliumNamespace()).isEqualTo("auto");
    assertThat(config.chainingMode()).isEqualTo("auto");
    assertThat(config.agentNotReadyTaintKey()).isEqualTo("auto");
    assertThat(config.ciliumConfigMap()).isEqualTo("cilium-config");
    assertThat(config.agentSelector()).isEqualTo(new LabelSelector("k8s-app", "cilium"));
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.sweepInterval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.missedChain()).isEqualTo(new MissedChainConfig(Duration.ofSeconds(30),
        Duration.ofSeconds(30)));
  }

  @Test
  void remediationIsDryRunByDefaultAndKubeSystemIsExcluded() {
    RemediationConfig remediation = ChainwatchConfig.defaults().remediation();

    assertThat(remediation.dryRun()).isTrue();
    assertThat(remediation.mode()).isEqualTo("dry-run");
    assertThat(remediation.excludedNamespaces()).containsExactly("kube-system");
    assertThat(remediation.podCooldown()).isEqualTo(Duration.ofMinutes(15));
    assertThat(remediation.maxAttemptsPerOwnerPerHour()).isEqualTo(5);
    assertThat(remediation.maxEvictionsPerMinute()).isEqualTo(60);
    assertThat(remediation.breaker()).isEqualTo(new RemediationConfig.Breaker(Duration.ofMinutes(10), 150, 0.2, 3,
        Duration.ofHours(1)));
    assertThat(remediation.verifyTimeout()).isEqualTo(Duration.ofMinutes(3));
  }

  @Test
  void remediationRailsComeFromFileListsOrEnvironment() throws Exception {
    Path file = yaml("""
        remediation:
          mode: enforce
          excludedNamespaces: [kube-system, monitoring]
          breaker:
            maxNodeShare: 0.5
        """);

    ChainwatchConfig config = ConfigLoader.load(file, Map.of("CHAINWATCH_REMEDIATION_MAX_EVICTIONS_PER_MINUTE", "5"));

    assertThat(config.remediation().dryRun()).isFalse();
    assertThat(config.remediation().excludedNamespaces()).containsExactly("kube-system", "monitoring");
    assertThat(config.remediation().breaker().maxNodeShare()).isEqualTo(0.5);
    assertThat(config.remediation().maxEvictionsPerMinute()).isEqualTo(5);
    assertThat(ConfigLoader.load(null, Map.of("CHAINWATCH_REMEDIATION_EXCLUDED_NAMESPACES", ""))
        .remediation().excludedNamespaces()).isEmpty();
  }

  @Test
  void badRemediationValuesAreNamed() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(
        "CHAINWATCH_REMEDIATION_MODE", "yolo",
        "CHAINWATCH_REMEDIATION_BREAKER_MAX_NODE_SHARE", "1.5",
        "CHAINWATCH_REMEDIATION_EXCLUDED_NAMESPACES", "kube-system,Bad_NS")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "CHAINWATCH_REMEDIATION_MODE must be one of dry-run, approve, enforce, got \"yolo\" (not one of [approve, "
                + "dry-run, enforce])",
            "CHAINWATCH_REMEDIATION_BREAKER_MAX_NODE_SHARE must be a number from 0 to 1 such as 0.2, got \"1.5\" "
                + "(out of range)",
            "CHAINWATCH_REMEDIATION_EXCLUDED_NAMESPACES must be comma-separated namespace names such as "
                + "kube-system,monitoring (empty for none), got \"kube-system,Bad_NS\" (\"Bad_NS\" is not a namespace "
                + "name)"));
  }

  @Test
  void notifiersAreOffUntilConfiguredAndSilencesParse() {
    NotifiersConfig off = ChainwatchConfig.defaults().notifiers();
    NotifiersConfig on = ConfigLoader.load(null, Map.of(
        "CHAINWATCH_KAFKA_BOOTSTRAP_SERVERS", "kafka-0:9092,kafka-1:9092",
        "CHAINWATCH_SLACK_TOKEN_FILE", "/var/run/secrets/slack/token",
        "CHAINWATCH_SLACK_CHANNEL", "#oncall-network",
        "CHAINWATCH_INCIDENTS_SILENCES", "node:10.0.0.11@2026-12-01T00:00:00Z, detector:missed-cilium-chain@2026-11-24T00:00:00Z"))
        .notifiers();

    assertThat(off.kafka().enabled()).isFalse();
    assertThat(off.slack().enabled()).isFalse();
    assertThat(off.eventsEnabled()).isTrue();
    assertThat(on.kafka().enabled()).isTrue();
    assertThat(on.kafka().spoolMaxBytes()).isEqualTo(256L * 1024 * 1024);
    assertThat(on.slack().enabled()).isTrue();
    assertThat(on.incidents().silences()).containsExactly(
        new Silence("node", "10.0.0.11", java.time.Instant.parse("2026-12-01T00:00:00Z")),
        new Silence("detector", "missed-cilium-chain", java.time.Instant.parse("2026-11-24T00:00:00Z")));
  }

  @Test
  void notifierMistakesAreNamedIncludingThoseAcrossSettings() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(
        "CHAINWATCH_SLACK_TOKEN_FILE", "/token",
        "CHAINWATCH_KAFKA_BOOTSTRAP_SERVERS", "kafka-0",
        "CHAINWATCH_INCIDENTS_SILENCES", "pod:web@tomorrow")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "CHAINWATCH_KAFKA_BOOTSTRAP_SERVERS must be comma-separated host:port, or empty to turn Kafka off, got "
                + "\"kafka-0\" (\"kafka-0\" is not host:port)",
            "CHAINWATCH_INCIDENTS_SILENCES must be comma-separated kind:name@time, kind node, namespace or detector, "
                + "such as node:10.0.0.11@2026-12-01T00:00:00Z, got \"pod:web@tomorrow\" (\"pod:web@tomorrow\" is not "
                + "kind:name@time)"));
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CHAINWATCH_SLACK_TOKEN_FILE", "/token",
        "CHAINWATCH_KAFKA_BOOTSTRAP_SERVERS", "kafka-0:9092", "CHAINWATCH_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "slack.channel (CHAINWATCH_SLACK_CHANNEL) is required when slack.tokenFile is set",
            "kafka.saslUsernameFile and kafka.saslPasswordFile are required with kafka.securityProtocol SASL_SSL"));
    // a channel without a token used to turn Slack off without a word
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CHAINWATCH_SLACK_CHANNEL", "#network-oncall")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "slack.channel is #network-oncall but slack.tokenFile (CHAINWATCH_SLACK_TOKEN_FILE) is not set: Slack "
                + "needs a bot token to post; set it, or unset slack.channel to turn Slack off"));
  }

  @Test
  void theInventoryTopicIsOffByDefaultAndMustBeATopicName() {
    assertThat(ConfigLoader.load(null, Map.of()).value(Settings.KAFKA_INVENTORY_TOPIC)).isEmpty();
    assertThat(ConfigLoader.load(null, Map.of("CHAINWATCH_KAFKA_INVENTORY_TOPIC", "fleet.inventory.prod-eu-1"))
        .value(Settings.KAFKA_INVENTORY_TOPIC)).isEqualTo("fleet.inventory.prod-eu-1");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CHAINWATCH_KAFKA_INVENTORY_TOPIC", "nodes/prod")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement().asString()
            .startsWith("CHAINWATCH_KAFKA_INVENTORY_TOPIC must be a topic name such as chainwatch.inventory, or empty "
                + "for none, got \"nodes/prod\" (not a Kafka topic name"));
  }

  @Test
  void logFormatIsPlainOrJson() {
    assertThat(ConfigLoader.load(null, Map.of()).value(Settings.LOG_FORMAT)).isEqualTo("plain");
    assertThat(ConfigLoader.load(null, Map.of("CHAINWATCH_LOGGING_FORMAT", "json")).value(Settings.LOG_FORMAT))
        .isEqualTo("json");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CHAINWATCH_LOGGING_FORMAT", "ecs")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "CHAINWATCH_LOGGING_FORMAT must be one of plain, json, got \"ecs\" (not one of [json, plain])"));
  }

  @Test
  void fileValuesApplyAndEnvironmentWins() throws Exception {
    Path file = yaml("""
        ciliumNamespace: cilium
        httpPort: 9090
        detectors:
          missed-cilium-chain:
            minPodAge: PT1M
            agentSettle: PT45S
        """);

    ChainwatchConfig config = ConfigLoader.load(file, Map.of("CHAINWATCH_HTTP_PORT", "9191"));

    assertThat(config.ciliumNamespace()).isEqualTo("cilium");
    assertThat(config.httpPort()).isEqualTo(9191);
    assertThat(config.missedChain().minPodAge()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.missedChain().agentSettle()).isEqualTo(Duration.ofSeconds(45));
    assertThat(config.describe()).contains("httpPort = 9191  (env CHAINWATCH_HTTP_PORT)")
        .contains("ciliumNamespace = cilium  (" + file + ")");
  }

  @Test
  void configFileCanComeFromTheEnvironment() throws Exception {
    Path file = yaml("clusterName: prod-eu-1\n");

    ChainwatchConfig config = ConfigLoader.load(null, Map.of("CHAINWATCH_CONFIG_FILE", file.toString()));

    assertThat(config.clusterName()).isEqualTo("prod-eu-1");
  }

  @Test
  void environmentNamesFollowThePath() {
    assertThat(Settings.MISSED_CHAIN_MIN_POD_AGE.envName())
        .isEqualTo("CHAINWATCH_DETECTORS_MISSED_CILIUM_CHAIN_MIN_POD_AGE");
    assertThat(Settings.HTTP_PORT.envName()).isEqualTo("CHAINWATCH_HTTP_PORT");
    assertThat(Settings.BUS_QUEUE_CAPACITY.envName()).isEqualTo("CHAINWATCH_BUS_QUEUE_CAPACITY");
  }

  @Test
  void reportsEveryProblemAtOnceNamingKeyExpectationAndValue() throws Exception {
    Path file = yaml("""
        httpPort: seventy
        sweepInterval: 30
        agentSelektor: k8s-app=cilium
        detectors:
          missed-cilium-chain:
            enabled: maybe
        """);

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("CHAINWATCH_CILIUM_NAMESPACE", "Kube_System")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "httpPort in " + file + " must be a TCP port from 0 to 65535 (0 picks a free port), got \"seventy\""
                + " (not an integer)",
            "sweepInterval in " + file + " must be an ISO-8601 duration of at least PT1S, such as PT5M, got \"30\""
                + " (not an ISO-8601 duration)",
            "unknown key agentSelektor in " + file + " (known keys here: agentNotReadyTaintKey, agentSelector, busQueueCapacity,"
                + " chainingMode, ciliumConfigMap, ciliumNamespace, clusterName, detectors, events, httpPort, incidents, kafka, leaderElection, logLevel, logging, nodeConditions, opsgenie, pagerduty, remediation, routing, slack, stateDir, sweepInterval)",
            "detectors.missed-cilium-chain.enabled in " + file + " must be true or false, got \"maybe\""
                + " (not a boolean)",
            "CHAINWATCH_CILIUM_NAMESPACE must be auto or a namespace name such as kube-system, got \"Kube_System\""
                + " (not a DNS label)"));
  }

  @Test
  void rejectsOutOfRangeValues() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(
            "CHAINWATCH_HTTP_PORT", "70000",
            "CHAINWATCH_SWEEP_INTERVAL", "PT0.5S",
            "CHAINWATCH_DETECTORS_MISSED_CILIUM_CHAIN_MIN_POD_AGE", "-PT1S")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(3)
            .anySatisfy(p -> assertThat(p).startsWith("CHAINWATCH_HTTP_PORT").contains("\"70000\"", "out of range"))
            .anySatisfy(p -> assertThat(p).startsWith("CHAINWATCH_SWEEP_INTERVAL").contains("below the minimum"))
            .anySatisfy(p -> assertThat(p).startsWith("CHAINWATCH_DETECTORS_MISSED_CILIUM_CHAIN_MIN_POD_AGE")));
  }

  @Test
  void rejectsStructuralMistakesInTheFile() throws Exception {
    Path file = yaml("""
        detectors: yes-please
        httpPort: [1, 2]
        """);

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "detectors in " + file + " must be a mapping, got \"yes-please\"",
            "httpPort in " + file + " must be a TCP port from 0 to 65535 (0 picks a free port), got a list"));
  }

  @Test
  void rejectsMissingMalformedAndNonUtf8Files() throws Exception {
    Path missing = dir.resolve("absent.yaml");
    Path broken = yaml("httpPort: [1, 2\n");
    Path binary = dir.resolve("binary.yaml");
    Files.write(binary, new byte[] {'a', ':', ' ', (byte) 0xC3, (byte) 0x28});

    assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of())).hasMessageContaining(missing + " cannot be read");
    assertThatThrownBy(() -> ConfigLoader.load(broken, Map.of())).hasMessageContaining("is not valid YAML");
    assertThatThrownBy(() -> ConfigLoader.load(binary, Map.of())).hasMessageContaining("is not valid UTF-8");
    assertThatThrownBy(() -> ConfigLoader.load(yaml("- a\n- b\n"), Map.of()))
        .hasMessageContaining("must hold a YAML mapping at the top, got a list");
  }

  @Test
  void emptyFileMeansDefaults() throws Exception {
    assertThat(ConfigLoader.load(yaml(""), Map.of()).httpPort()).isEqualTo(8080);
  }

  @Test
  void otherChainwatchVariablesSuchAsKubernetesServiceLinksAreIgnored() {
    ChainwatchConfig config = ConfigLoader.load(null, Map.of("CHAINWATCH_PORT", "tcp://10.0.0.1:8080",
        "CHAINWATCH_SERVICE_HOST", "10.0.0.1"));

    assertThat(config.httpPort()).isEqualTo(8080);
  }

  @Test
  void agentSelectorParsesKeyAndValue() {
    ChainwatchConfig config = ConfigLoader.load(null, Map.of("CHAINWATCH_AGENT_SELECTOR", "app.kubernetes.io/name=cilium-agent"));

    assertThat(config.agentSelector()).isEqualTo(new LabelSelector("app.kubernetes.io/name", "cilium-agent"));
    assertThat(config.agentSelector().matches(Map.of("app.kubernetes.io/name", "cilium-agent"))).isTrue();
    assertThat(config.agentSelector().matches(Map.of("app.kubernetes.io/name", "cilium-operator"))).isFalse();
  }

  @Test
  void aKeyWrittenTwiceOrADurationThatOverflowsIsAnErrorNamingIt() throws Exception {
    Path twice = yaml("""
        remediation:
          mode: dry-run
        remediation:
          mode: enforce
        """);
    assertThatThrownBy(() -> ConfigLoader.load(twice, Map.of()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
            .satisfies(problem -> assertThat(problem).contains(twice.toString(), "duplicate key remediation")));

    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CHAINWATCH_SWEEP_INTERVAL", "PT9223372036854775807S")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
            .satisfies(problem -> assertThat(problem).startsWith("CHAINWATCH_SWEEP_INTERVAL must be")
                .contains("too long to be a duration")));
  }

  @Test
  void aSecretPastedIntoAFileSettingIsNeverShown() {
    ChainwatchConfig config = ConfigLoader.load(null, Map.of("CHAINWATCH_SLACK_TOKEN_FILE", "xoxb-1234-secret-token",
        "CHAINWATCH_SLACK_CHANNEL", "#c"));
    assertThat(config.describe()).doesNotContain("xoxb-1234-secret-token").contains("slack.tokenFile = <redacted");
  }

  @Test
  void repairNeedsItsSigningKey() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CHAINWATCH_REMEDIATION_RP_FILTER_REPAIR_ENABLED",
        "true"))).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
            .satisfies(problem -> assertThat(problem).startsWith("remediation.rpFilterRepair.keyFile")));
  }

  @Test
  void perDetectorRemediationModesParseAndApproveNeedsTheSlackActions() {
    ChainwatchConfig config = ConfigLoader.load(null, java.util.Map.of("CHAINWATCH_REMEDIATION_MODE", "dry-run",
        "CHAINWATCH_REMEDIATION_DETECTOR_MODES", "endpoint-stuck=enforce, missed-cilium-chain=observe"));

    assertThat(config.remediation().dryRunFor("endpoint-stuck")).isFalse();
    assertThat(config.remediation().dryRunFor("missed-cilium-chain")).isTrue();
    assertThat(config.remediation().dryRunFor("endpoint-mismatch")).as("the global mode").isTrue();
    assertThat(config.remediation().modeFor("endpoint-stuck")).isEqualTo("enforce");
    assertThat(config.remediation().anyApproval()).isFalse();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.load(null, java.util.Map.of(
        "CHAINWATCH_REMEDIATION_DETECTOR_MODES", "endpoint-stuck=approve")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("remediation mode approve (in remediation.detectorModes {endpoint-stuck=approve}) needs "
            + "the Slack actions: set slack.appTokenFile and slack.actionsGroup");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.load(null, java.util.Map.of(
        "CHAINWATCH_REMEDIATION_DETECTOR_MODES", "ipam-exhausted=sometimes")))
        .hasMessageContaining("has mode \"sometimes\"; use observe, approve or enforce");

    ChainwatchConfig approving = ConfigLoader.load(null, java.util.Map.of(
        "CHAINWATCH_SLACK_TOKEN_FILE", "/etc/chainwatch/slack/token", "CHAINWATCH_SLACK_CHANNEL", "#oncall",
        "CHAINWATCH_SLACK_APP_TOKEN_FILE", "/etc/chainwatch/slack/app-token",
        "CHAINWATCH_SLACK_ACTIONS_GROUP", "S0ONCALL", "CHAINWATCH_REMEDIATION_MODE", "approve",
        "CHAINWATCH_REMEDIATION_DETECTOR_MODES", "endpoint-stuck=observe"));
    assertThat(approving.remediation().approvalFor("missed-cilium-chain")).as("the global mode").isTrue();
    assertThat(approving.remediation().approvalFor("endpoint-stuck")).isFalse();
    assertThat(approving.remediation().dryRunFor("endpoint-stuck")).isTrue();
    assertThat(approving.remediation().modeFor("missed-cilium-chain")).isEqualTo("approve");
    assertThat(approving.remediation().anyEnforced()).as("an approved action evicts: RBAC must allow it").isTrue();
    assertThat(approving.remediation().approvalTimeout()).isEqualTo(java.time.Duration.ofMinutes(30));

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.load(null, java.util.Map.of(
        "CHAINWATCH_SLACK_TOKEN_FILE", "/etc/chainwatch/slack/token", "CHAINWATCH_SLACK_CHANNEL", "#oncall",
        "CHAINWATCH_SLACK_APP_TOKEN_FILE", "/etc/chainwatch/slack/app-token",
        "CHAINWATCH_REMEDIATION_APPROVAL_TIMEOUT", "P2D")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "slack.actionsGroup (CHAINWATCH_SLACK_ACTIONS_GROUP) is required with slack.appTokenFile: only its members "
                + "may acknowledge, silence, approve or reject",
            "remediation.approvalTimeout must be at most PT24H, got PT48H: a click a day later acts on a cluster "
                + "nobody looked at since"));
  }
}

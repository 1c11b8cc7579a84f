package io.chainwatch.deploy;

import static io.chainwatch.deploy.Chart.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The chart linted and rendered by real Helm, with the defaults and the value sets users choose. */
class ChartTest {
  static List<Map<String, Object>> valueSets() {
    return List.of(
        Map.of(),
        Map.of("kafkaBootstrapServers", "kafka-0.kafka:9092,kafka-1.kafka:9092", "kafkaExistingSecret", "kafka-creds",
            "kafkaSecurityProtocol", "SASL_SSL", "kafkaInventoryTopic", "chainwatch.inventory.prod-eu-1"),
        Map.of("slackExistingSecret", "slack-token", "slackChannel", "#network-oncall"),
        Map.of("remediationMode", "enforce"),
        Map.of("replicas", 1, "probeEnabled", false, "eventsEnabled", false),
        Map.of("serviceMonitorEnabled", true, "networkPolicyEnabled", true),
        Map.of("remediationMode", "enforce", "rpFilterRepair", true));
  }

  @Test
  void lintsClean() {
    var result = new Helm(Chart.DIR).lint().strict().call();

    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
  }

  @ParameterizedTest
  @MethodSource("valueSets")
  void rendersWithEveryValueSet(Map<String, Object> values) {
    List<Map<String, Object>> objects = Chart.render(values);

    assertThat(Chart.ofKind(objects, "Deployment")).hasSize(1);
    String config = at(Chart.one(objects, "ConfigMap"), "data", "config.yaml");
    assertThat(config).contains("clusterName: default", "stateNamespace: chainwatch");
    if (values.containsKey("kafkaBootstrapServers")) {
      assertThat(config).contains("bootstrapServers: kafka-0.kafka:9092,kafka-1.kafka:9092",
          "saslPasswordFile: /var/run/secrets/chainwatch/kafka/password",
          "inventoryTopic: chainwatch.inventory.prod-eu-1");
    } else {
      assertThat(config).doesNotContain("kafka:");
    }
    if (values.containsKey("slackExistingSecret")) {
      assertThat(config).contains("tokenFile: /var/run/secrets/chainwatch/slack/token", "channel: '#network-oncall'");
    }
  }

  @Test
  void theWatcherMeetsPodSecurityRestricted() {
    Map<String, Object> deployment = Chart.one(Chart.render(Map.of()), "Deployment");
    Map<String, Object> pod = at(deployment, "spec", "template", "spec");
    Map<String, Object> container = at(pod, "containers", 0);

    assertThat((Object) at(pod, "securityContext", "runAsNonRoot")).isEqualTo(true);
    assertThat((Object) at(pod, "securityContext", "seccompProfile", "type")).isEqualTo("RuntimeDefault");
    assertThat((Object) at(container, "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
    assertThat((Object) at(container, "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
    assertThat((List<Object>) at(container, "securityContext", "capabilities", "drop")).containsExactly("ALL");
    assertThat((Object) at(deployment, "spec", "replicas")).isEqualTo(2);
    assertThat((Object) at(pod, "topologySpreadConstraints", 0, "topologyKey")).isEqualTo("kubernetes.io/hostname");
  }

  @Test
  void theProbeGetsHostNetworkAndOnlyTheTwoSocketsReadOnlyAndNoCapabilities() {
    Map<String, Object> probe = Chart.one(Chart.render(Map.of()), "DaemonSet");
    Map<String, Object> pod = at(probe, "spec", "template", "spec");
    Map<String, Object> container = at(pod, "containers", 0);

    assertThat((Object) at(pod, "hostNetwork")).isEqualTo(true);
    assertThat((Object) at(container, "volumeMounts", 0, "mountPath")).isEqualTo("/var/run/cilium/health.sock");
    assertThat((Object) at(container, "volumeMounts", 0, "readOnly")).isEqualTo(true);
    assertThat((Object) at(pod, "volumes", 0, "hostPath", "path")).as("not the run directory with cilium.sock")
        .isEqualTo("/var/run/cilium/health.sock");
    assertThat((Object) at(pod, "volumes", 0, "hostPath", "type")).isEqualTo("Socket");
    assertThat((Object) at(container, "volumeMounts", 1, "readOnly")).isEqualTo(true);
    assertThat((Object) at(container, "volumeMounts", 1, "mountPath")).isEqualTo("/var/run/cilium/cilium.sock");
    assertThat((Object) at(pod, "volumes", 1, "hostPath", "path")).as("the agent's API socket alone")
        .isEqualTo("/var/run/cilium/cilium.sock");
    assertThat((Object) at(pod, "volumes", 1, "hostPath", "type")).isEqualTo("Socket");
    assertThat(container.get("env").toString())
        .contains("CHAINWATCH_PROBE_AGENT_SOCKET, value=/var/run/cilium/cilium.sock");
    assertThat((Object) at(container, "volumeMounts", 2, "mountPath")).isEqualTo("/host/etc/cni/net.d");
    assertThat((Object) at(pod, "volumes", 2, "hostPath", "path")).isEqualTo("/etc/cni/net.d");
    assertThat(((List<Map<String, Object>>) at(container, "volumeMounts")).stream()
        .filter(mount -> !Boolean.TRUE.equals(mount.get("readOnly"))).map(mount -> mount.get("mountPath")))
        .as("without repair, only its scratch space is writable").containsExactly("/tmp");
    assertThat((Object) at(container, "securityContext", "privileged")).isEqualTo(false);
    assertThat((Object) at(container, "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
    assertThat((List<Object>) at(container, "securityContext", "capabilities", "drop")).containsExactly("ALL");
    assertThat(container.toString()).doesNotContain("NET_ADMIN", "add=");
    assertThat((Object) at(container, "env", 0, "valueFrom", "fieldRef", "fieldPath")).isEqualTo("spec.nodeName");
  }

  @Test
  void aDetectorSetToEnforceGetsTheEvictionRbacEvenWhileTheGlobalModeIsDryRun() {
    List<Map<String, Object>> objects = Chart.render(Map.of("remediationDetectorModes.missed-cilium-chain", "enforce",
        "remediationDetectorModes.endpoint-stuck", "observe"));

    assertThat((String) at(Chart.one(objects, "ConfigMap"), "data", "config.yaml"))
        .contains("detectorModes: endpoint-stuck=observe,missed-cilium-chain=enforce", "mode: dry-run");
    assertThat(Chart.renderText(Map.of("remediationDetectorModes.missed-cilium-chain", "enforce")))
        .contains("pods/eviction");
    assertThat(Chart.renderText(Map.of("remediationDetectorModes.endpoint-stuck", "observe")))
        .as("observe only: no eviction right").doesNotContain("pods/eviction");
  }

  @Test
  void modeApproveComesWithTheSlackButtonsAndTheEvictionRight() throws Exception {
    Map<String, Object> values = Map.of("remediationMode", "approve", "slackExistingSecret", "chainwatch-slack",
        "slackChannel", "#oncall", "slackActionsEnabled", "true", "slackActionsGroup", "S0ONCALL");
    List<Map<String, Object>> objects = Chart.render(values);
    String config = at(Chart.one(objects, "ConfigMap"), "data", "config.yaml");

    assertThat(config).contains("mode: approve", "approvalTimeout: PT30M",
        "appTokenFile: /var/run/secrets/chainwatch/slack/app-token", "actionsGroup: S0ONCALL");
    assertThat(at(Chart.one(objects, "Deployment"), "spec", "template", "spec", "volumes").toString())
        .contains("key=app-token");
    assertThat(Chart.renderText(values)).as("an approved action evicts").contains("pods/eviction");
    java.nio.file.Path file = java.nio.file.Files.createTempFile("chainwatch", ".yaml");
    java.nio.file.Files.writeString(file, config);
    assertThat(io.chainwatch.config.ConfigLoader.load(file, Map.of()).remediation().approvalFor("missed-cilium-chain"))
        .as("the rendered configuration is what chainwatch accepts").isTrue();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Chart.renderText(Map.of("remediationMode", "approve")))
        .hasMessageContaining("remediation mode approve needs the Slack buttons");
  }

  @Test
  void routingRulesReachTheConfigurationAsTheLoaderReadsThem() throws Exception {
    List<Map<String, Object>> objects = Chart.render(Map.of("slackExistingSecret", "chainwatch-slack",
        "slackChannel", "#platform", "pagerdutyExistingSecret", "chainwatch-pagerduty",
        "routingRules[0].name", "payments", "routingRules[0].match.namespaceLabels.team", "payments",
        "routingRules[0].slackChannel", "#payments",
        "routingRules[0].pagerdutyRoutingKeyFile", "/var/run/secrets/chainwatch/pagerduty/payments"));
    java.nio.file.Path file = java.nio.file.Files.createTempFile("chainwatch", ".yaml");
    java.nio.file.Files.writeString(file, (String) at(Chart.one(objects, "ConfigMap"), "data", "config.yaml"));

    List<io.chainwatch.config.RoutingRule> rules = io.chainwatch.config.ConfigLoader.load(file, Map.of())
        .value(io.chainwatch.config.Settings.ROUTING_RULES);
    assertThat(rules).singleElement().satisfies(rule -> {
      assertThat(rule.name()).isEqualTo("payments");
      assertThat(rule.match().namespaceLabels()).containsEntry("team", "payments");
      assertThat(rule.pagerdutyRoutingKeyFile()).isEqualTo("/var/run/secrets/chainwatch/pagerduty/payments");
    });
  }

  @Test
  void pagerDutysKeyComesFromItsSecretAsAFileTheConfigNames() {
    List<Map<String, Object>> objects = Chart.render(Map.of("pagerdutyExistingSecret", "chainwatch-pagerduty"));
    Map<String, Object> pod = at(Chart.one(objects, "Deployment"), "spec", "template", "spec");

    assertThat((String) at(Chart.one(objects, "ConfigMap"), "data", "config.yaml"))
        .contains("routingKeyFile: /var/run/secrets/chainwatch/pagerduty/routing-key");
    assertThat(pod.get("volumes").toString()).as("every key: routing rules name the others")
        .contains("secretName=chainwatch-pagerduty").doesNotContain("key=routing-key");
    assertThat(at(pod, "containers", 0, "volumeMounts").toString())
        .contains("mountPath=/var/run/secrets/chainwatch/pagerduty, readOnly=true");
    assertThat(Chart.renderText(Map.of())).doesNotContain("pagerduty");
  }

  @Test
  void opsgenisKeyComesFromItsSecretWithTheTeamAndRegion() {
    List<Map<String, Object>> objects = Chart.render(Map.of("opsgenieExistingSecret", "chainwatch-opsgenie",
        "opsgenieTeam", "network-oncall", "opsgenieApiUrl", "https://api.eu.opsgenie.com"));
    Map<String, Object> pod = at(Chart.one(objects, "Deployment"), "spec", "template", "spec");

    assertThat((String) at(Chart.one(objects, "ConfigMap"), "data", "config.yaml")).contains(
        "apiKeyFile: /var/run/secrets/chainwatch/opsgenie/api-key", "team: network-oncall",
        "apiUrl: https://api.eu.opsgenie.com");
    assertThat(pod.get("volumes").toString()).contains("secretName=chainwatch-opsgenie", "key=api-key");
    assertThat(Chart.renderText(Map.of())).doesNotContain("opsgenie");
  }

  @Test
  void withoutTheAgentApiTheProbeMountsNoAgentSocketAndAsksForNoEndpoints() {
    Map<String, Object> pod = at(Chart.one(Chart.render(Map.of("probeAgentApi", false)), "DaemonSet"), "spec",
        "template", "spec");
    Map<String, Object> container = at(pod, "containers", 0);

    assertThat(pod.get("volumes").toString()).doesNotContain("cilium.sock");
    assertThat(container.get("volumeMounts").toString()).doesNotContain("cilium.sock");
    assertThat(container.get("env").toString()).contains("CHAINWATCH_PROBE_AGENT_SOCKET, value=}");
  }

  @Test
  void leaderElectionAndItsPermissionsComeWithMoreThanOneReplica() {
    List<Map<String, Object>> two = Chart.render(Map.of());
    List<Map<String, Object>> one = Chart.render(Map.of("replicas", 1));

    assertThat((String) at(Chart.one(two, "ConfigMap"), "data", "config.yaml")).contains("enabled: true");
    assertThat(Chart.ofKind(two, "PodDisruptionBudget")).hasSize(1);
    assertThat(Chart.ofKind(one, "PodDisruptionBudget")).isEmpty();
    assertThat(Chart.renderText(Map.of("replicas", 1))).doesNotContain("coordination.k8s.io");
  }

  @Test
  void rpFilterRepairGivesTheProbeNetAdminAndTheHostsIpv4ConfAndTheWatcherNodePatch() {
    List<Map<String, Object>> repair = Chart.render(Map.of("remediationMode", "enforce", "rpFilterRepair", true));
    Map<String, Object> pod = at(Chart.one(repair, "DaemonSet"), "spec", "template", "spec");
    Map<String, Object> container = at(pod, "containers", 0);

    assertThat((List<Object>) at(container, "securityContext", "capabilities", "add")).containsExactly("NET_ADMIN");
    assertThat((List<Object>) at(container, "securityContext", "capabilities", "drop")).containsExactly("ALL");
    assertThat((Object) at(container, "securityContext", "privileged")).isEqualTo(false);
    assertThat(container.get("env").toString()).contains("CHAINWATCH_PROBE_REPAIR, value=true",
        "CHAINWATCH_PROBE_PROC_ROOT, value=/host/proc");
    List<Map<String, Object>> mounts = at(container, "volumeMounts");
    assertThat(mounts).anySatisfy(mount -> {
      assertThat(mount.get("mountPath")).isEqualTo("/host/proc");
      assertThat(mount.get("readOnly")).isEqualTo(true);
    });
    assertThat(mounts).anySatisfy(mount -> {
      assertThat(mount.get("mountPath")).isEqualTo("/host/proc/sys/net/ipv4/conf");
      assertThat(mount.get("readOnly")).as("the only writable host path").isNull();
    });
    assertThat(mounts).as("the probe reads the signing key").anySatisfy(mount -> {
      assertThat(mount.get("mountPath")).isEqualTo("/var/run/secrets/chainwatch/repair");
      assertThat(mount.get("readOnly")).isEqualTo(true);
    });
    assertThat(container.get("env").toString())
        .contains("CHAINWATCH_PROBE_REPAIR_KEY_FILE, value=/var/run/secrets/chainwatch/repair/key");
    Map<String, Object> watcher = at(Chart.one(repair, "Deployment"), "spec", "template", "spec");
    assertThat((List<Map<String, Object>>) at(watcher, "containers", 0, "volumeMounts"))
        .as("chainwatch signs with the same key").anySatisfy(mount ->
            assertThat(mount.get("mountPath")).isEqualTo("/var/run/secrets/chainwatch/repair"));
    assertThat(Chart.one(repair, "Secret")).as("a key generated by the chart").isNotNull();
    assertThat(Chart.render(Map.of("remediationMode", "enforce", "rpFilterRepair", true,
        "rpFilterRepairExistingSecret", "my-key"))).as("or the operator's own").noneMatch(o -> "Secret".equals(
            o.get("kind"))).anySatisfy(o -> assertThat(o.toString()).contains("secretName=my-key"));
    assertThat(Chart.renderText(Map.of("remediationMode", "enforce", "rpFilterRepair", true)))
        .contains("rpFilterRepair:\n        enabled: true\n        keyFile: /var/run/secrets/chainwatch/repair/key");
    String dryRunRepair = Chart.renderText(Map.of("rpFilterRepair", true));
    String enforceOnly = Chart.renderText(Map.of("remediationMode", "enforce"));
    assertThat(rbacOf(Chart.render(Map.of("remediationMode", "enforce", "rpFilterRepair", true))))
        .contains("resources=[nodes], verbs=[patch]");
    assertThat(rbacOf(Chart.render(Map.of("rpFilterRepair", true)))).as("dry-run writes nothing")
        .doesNotContain("resources=[nodes], verbs=[patch]");
    assertThat(enforceOnly).doesNotContain("NET_ADMIN", "/host/proc", "read from the probe's Node");
    assertThat(dryRunRepair).contains("# get: repair requests are read from the probe's Node\n    verbs: [get, patch]");
  }

  private static String rbacOf(List<Map<String, Object>> rendered) {
    return rendered.stream().filter(doc -> "ClusterRole".equals(doc.get("kind"))
        && !String.valueOf((Object) at(doc, "metadata", "name")).endsWith("-probe")).toList().toString();
  }

  @Test
  void evictionRightsOnlyInEnforceModeAndNeverSecretsOrWildcards() {
    String dryRun = Chart.renderText(Map.of());
    String enforce = Chart.renderText(Map.of("remediationMode", "enforce"));

    assertThat(dryRun).doesNotContain("pods/eviction");
    assertThat(enforce).contains("pods/eviction");
    for (String rendered : List.of(dryRun, enforce)) {
      assertThat(rendered).doesNotContain("secrets", "'*'", "\"*\"", "- '*'");
    }
  }

  @Test
  void wrongValuesAreRejectedByTheSchemaWithAClearMessage() {
    assertThatThrownBy(() -> Chart.renderText(Map.of("remediationMode", "yolo")))
        .hasMessageContaining("remediationMode");
    assertThatThrownBy(() -> Chart.renderText(Map.of("replicas", 0))).hasMessageContaining("replicas");
    assertThatThrownBy(() -> Chart.renderText(Map.of("kafkaBootstrapServers", "kafka")))
        .hasMessageContaining("kafkaBootstrapServers");
    assertThatThrownBy(() -> Chart.renderText(Map.of("slackExistingSecret", "s")))
        .hasMessageContaining("slackChannel");
  }

  @Test
  void theTrapsUsersFellIntoAreRefusedBeforeAnythingIsInstalled() {
    // SASL without credentials crash-looped the watcher
    assertThatThrownBy(() -> Chart.renderText(Map.of("kafkaBootstrapServers", "kafka-0:9092",
        "kafkaSecurityProtocol", "SASL_SSL"))).hasMessageContaining("kafkaExistingSecret");
    assertThat(Chart.renderText(Map.of("kafkaBootstrapServers", "kafka-0:9092", "kafkaSecurityProtocol", "SASL_SSL",
        "kafkaExistingSecret", "kafka-credentials"))).contains("securityProtocol: SASL_SSL");
    assertThat(Chart.renderText(Map.of("kafkaBootstrapServers", "kafka-0:9092", "kafkaSecurityProtocol", "SSL")))
        .as("SSL needs no credentials").contains("securityProtocol: SSL");
    // a channel without the token's Secret silently meant "Slack off"
    assertThatThrownBy(() -> Chart.renderText(Map.of("slackChannel", "#network-oncall")))
        .hasMessageContaining("slackExistingSecret");
  }

  @Test
  void theProbesPriorityClassCanBeChangedOrDropped() {
    assertThat((String) at(Chart.one(Chart.render(Map.of()), "DaemonSet"), "spec", "template", "spec",
        "priorityClassName")).isEqualTo("system-node-critical");
    assertThat((String) at(Chart.one(Chart.render(Map.of("probePriorityClassName", "")), "DaemonSet"), "spec",
        "template", "spec", "priorityClassName")).isNull();
    assertThat((String) at(Chart.one(Chart.render(Map.of("probePriorityClassName", "node-agents")), "DaemonSet"),
        "spec", "template", "spec", "priorityClassName")).isEqualTo("node-agents");
  }

  @Test
  void theNotesSayWhatToDoNext() {
    String notes = new com.marcnuri.helm.Helm(Chart.DIR).install().withName("chainwatch").withNamespace("chainwatch")
        .dryRun().clientOnly().call().getOutput();
    assertThat(notes).contains("pod-security.kubernetes.io/enforce=privileged")
        .contains("Remediation mode: dry-run").contains("remediationMode=enforce")
        .contains("Slack: off (set slackExistingSecret and slackChannel)")
        .contains("alert rules: off (prometheusRuleEnabled)").contains("port-forward svc/chainwatch-metrics 8080");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aPersistentVolumeClaimKeepsTheSpoolAcrossRolloutsWithOneReplica() {
    List<Map<String, Object>> durable = Chart.render(Map.of("statePersistentVolumeClaim", "chainwatch-state",
        "replicas", 1));
    Map<String, Object> deployment = Chart.one(durable, "Deployment");
    assertThat((Object) at(deployment, "spec", "strategy", "type")).isEqualTo("Recreate");
    List<Map<String, Object>> volumes = at(deployment, "spec", "template", "spec", "volumes");
    assertThat(volumes).anySatisfy(volume -> {
      assertThat(volume.get("name")).isEqualTo("state");
      assertThat((Object) at(volume, "persistentVolumeClaim", "claimName")).isEqualTo("chainwatch-state");
    });
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Chart.render(Map.of("statePersistentVolumeClaim",
        "chainwatch-state"))).hasMessageContaining("statePersistentVolumeClaim needs replicas: 1");
    List<Map<String, Object>> ephemeral = at(Chart.one(Chart.render(Map.of()), "Deployment"), "spec", "template",
        "spec", "volumes");
    assertThat(ephemeral).anySatisfy(volume -> assertThat(volume).containsKey("emptyDir")
        .containsEntry("name", "state"));
  }
}

package io.chainwatch.deploy;

import static io.chainwatch.deploy.Chart.at;
import static io.chainwatch.deploy.Chart.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chainwatch.fleet.FleetConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fleet chart rendered by real Helm, and its environment read by the fleet's own configuration code: what the
 * chart sets is what the fleet understands.
 */
class FleetChartTest {
  private static final Map<String, Object> REQUIRED = Map.of("kafkaBootstrapServers", "kafka-0.kafka:9092");

  private static List<Map<String, Object>> render(Map<String, Object> values) {
    Map<String, Object> all = new HashMap<>(REQUIRED);
    all.putAll(values);
    return Chart.render(Chart.FLEET_DIR, all);
  }

  /** The container's environment with literal values; secret references as {@code secret:name/key}. */
  private static Map<String, String> env(List<Map<String, Object>> objects) {
    Map<String, String> env = new HashMap<>();
    List<Map<String, Object>> vars = at(one(objects, "StatefulSet"), "spec", "template", "spec", "containers", 0,
        "env");
    for (Map<String, Object> variable : vars) {
      Object value = variable.get("value");
      if (value == null) {
        Map<String, Object> secret = at(variable, "valueFrom", "secretKeyRef");
        value = secret == null ? "field" : "secret:" + secret.get("name") + "/" + secret.get("key");
      }
      env.put((String) variable.get("name"), value.toString());
    }
    return env;
  }

  @Test
  void theDefaultsDeployTwoInstancesWithPersistentStateAndNoKubernetesApiAccess() {
    List<Map<String, Object>> objects = render(Map.of());
    assertThat(objects).extracting(o -> o.get("kind")).containsExactlyInAnyOrder("ServiceAccount", "Service",
        "PodDisruptionBudget", "StatefulSet");
    Map<String, Object> set = one(objects, "StatefulSet");
    assertThat((Integer) at(set, "spec", "replicas")).isEqualTo(2);
    assertThat((Boolean) at(set, "spec", "template", "spec", "automountServiceAccountToken")).isFalse();
    assertThat((List<Object>) at(set, "spec", "template", "spec", "containers", 0, "args")).containsExactly("fleet");
    assertThat((String) at(set, "spec", "volumeClaimTemplates", 0, "metadata", "name")).isEqualTo("state");
    assertThat((Boolean) at(set, "spec", "template", "spec", "containers", 0, "securityContext",
        "readOnlyRootFilesystem")).isTrue();
    assertThat((String) at(set, "spec", "template", "spec", "containers", 0, "readinessProbe", "httpGet", "path"))
        .isEqualTo("/readyz");
    assertThat((String) at(set, "spec", "template", "spec", "containers", 0, "livenessProbe", "httpGet", "path"))
        .isEqualTo("/healthz");
    assertThat(env(objects)).containsEntry("CHAINWATCH_FLEET_STATE_DIR", "/var/lib/chainwatch-fleet")
        .containsEntry("CHAINWATCH_FLEET_METRICS_PORT", "9464")
        .doesNotContainKey("CHAINWATCH_FLEET_SLACK_TOKEN_FILE");

    // the fleet's own parser accepts what the chart sets, and reads the chart's defaults as its own
    FleetConfig config = FleetConfig.fromEnv(env(objects));
    assertThat(config.toString()).isEqualTo(FleetConfig.defaults().toString()); // Pattern has no equals
  }

  @Test
  void pagersSecretsAndKafkaPropertiesBecomeTheVariablesTheFleetReads() {
    Map<String, Object> values = new HashMap<>();
    values.put("slackExistingSecret", "fleet-slack");
    values.put("slackChannel", "#fleet");
    values.put("pagerdutyExistingSecret", "fleet-pd");
    values.put("kafkaJaasSecret", "fleet-kafka");
    values.put("kafkaProperties.security\\.protocol", "SASL_SSL");
    values.put("kafkaProperties.sasl\\.mechanism", "SCRAM-SHA-512");
    values.put("minClusters", 3);
    List<Map<String, Object>> objects = render(values);
    Map<String, String> env = env(objects);
    assertThat(env).containsEntry("CHAINWATCH_FLEET_SLACK_TOKEN_FILE", "/var/run/secrets/chainwatch-fleet/slack/token")
        .containsEntry("CHAINWATCH_FLEET_SLACK_CHANNEL", "#fleet")
        .containsEntry("CHAINWATCH_FLEET_PAGERDUTY_ROUTING_KEY_FILE",
            "/var/run/secrets/chainwatch-fleet/pagerduty/routing-key")
        .containsEntry("CHAINWATCH_FLEET_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
        .containsEntry("CHAINWATCH_FLEET_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
        .containsEntry("CHAINWATCH_FLEET_KAFKA_SASL_JAAS_CONFIG", "secret:fleet-kafka/jaas-config");
    assertThat(FleetConfig.fromEnv(env).minClusters()).isEqualTo(3);
    List<Map<String, Object>> mounts = at(one(objects, "StatefulSet"), "spec", "template", "spec", "containers", 0,
        "volumeMounts");
    assertThat(mounts).extracting(m -> m.get("mountPath")).contains("/var/run/secrets/chainwatch-fleet/slack",
        "/var/run/secrets/chainwatch-fleet/pagerduty");
  }

  @Test
  void trapsAreRefusedWithTheValueNamed() {
    assertThatThrownBy(() -> Chart.render(Chart.FLEET_DIR, Map.of())).hasMessageContaining(
        "kafkaBootstrapServers is empty");
    assertThatThrownBy(() -> render(Map.of("slackChannel", "#fleet"))).hasMessageContaining(
        "slackChannel is #fleet but slackExistingSecret is empty");
    assertThatThrownBy(() -> render(Map.of("kafkaProperties.processing\\.guarantee", "at_least_once")))
        .hasMessageContaining("kafkaProperties.processing.guarantee is at_least_once");
    assertThatThrownBy(() -> render(Map.of("kafkaProperties.sasl\\.jaas\\.config", "x"))).hasMessageContaining(
        "kafkaJaasSecret");
    assertThatThrownBy(() -> render(Map.of("minClusters", 1))).hasMessageContaining("minClusters");
    assertThatThrownBy(() -> render(Map.of("minCluster", 3))).hasMessageContaining("minCluster");
  }
}

package io.chainwatch.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The publisher against fabric8's mock API server: what it writes, and that it writes nothing without a reason. */
@EnableKubernetesMockClient(crud = true, https = false)
class ReportPublisherMockServerTest {
  private static final Instant T0 = Instant.parse("2026-11-23T04:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();
  KubernetesClient client;
  KubernetesMockServer server;

  /** Host facts the test changes between rounds. */
  static final class FakeFacts implements HostFacts {
    final Map<String, Integer> values = new HashMap<>(Map.of("all", 0, "eth0", 1, "lxc1", 0));
    long latency = 1000;
    String status;

    @Override
    public String uplink() {
      return "eth0";
    }

    @Override
    public Map<String, Integer> rpFilter(String uplink, Map<String, String> problems) {
      return values;
    }

    @Override
    public Map<String, String> writeRpFilter(String uplink, Map<String, Integer> written) {
      values.putAll(written);
      return Map.of();
    }

    @Override
    public HealthReading health() {
      ObjectNode node = JSON.createObjectNode().put("name", "n1");
      ObjectNode icmp = node.putObject("health-endpoint").putObject("primary-address").put("ip", "172.16.1.2")
          .putObject("icmp").put("lastProbed", T0.plusMillis(latency).toString()).put("latency", latency);
      if (status != null) {
        icmp.remove("latency");
        icmp.put("status", status);
      }
      return HealthReading.of(node);
    }
  }

  private JsonNode annotation() throws Exception {
    String text = client.nodes().withName("n1").get().getMetadata().getAnnotations().get(NodeReport.ANNOTATION);
    return JSON.readTree(text);
  }

  @Test
  void writesOnChangeAndHeartbeatOnlyAndNeverMoreOftenThanTheMinimum() throws Exception {
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build()).create();
    NodeAnnotations annotations = new NodeAnnotations(URI.create(client.getMasterUrl().toString()), null, null);
    FakeFacts facts = new FakeFacts();
    ReportPublisher publisher = new ReportPublisher("n1", facts,
        (node, report) -> annotations.set(node, NodeReport.ANNOTATION, report), Duration.ofMinutes(5),
        Duration.ofSeconds(30));
    int before = server.getRequestCount();

    ReportPublisher.Outcome first = publisher.round(T0);
    facts.latency = 2000; // cilium-health probed again: only latencies and times moved
    ReportPublisher.Outcome latencyOnly = publisher.round(T0.plusSeconds(30));
    ReportPublisher.Outcome same = publisher.round(T0.plusSeconds(60));
    facts.values.put("eth0", 0); // something meaningful changed...
    facts.status = "Connection timed out";
    ReportPublisher.Outcome changed = publisher.round(T0.plusSeconds(90));
    facts.values.put("eth0", 1); // ...and changed back too soon for another write
    ReportPublisher.Outcome tooSoon = publisher.round(T0.plusSeconds(100));
    ReportPublisher.Outcome later = publisher.round(T0.plusSeconds(121));
    ReportPublisher.Outcome quiet = publisher.round(T0.plusSeconds(300));
    ReportPublisher.Outcome heartbeat = publisher.round(T0.plusSeconds(121 + 300));
    int writes = server.getRequestCount() - before;

    assertThat(first).isEqualTo(ReportPublisher.Outcome.WRITTEN);
    assertThat(latencyOnly).isEqualTo(ReportPublisher.Outcome.UNCHANGED);
    assertThat(same).isEqualTo(ReportPublisher.Outcome.UNCHANGED);
    assertThat(changed).isEqualTo(ReportPublisher.Outcome.WRITTEN);
    assertThat(tooSoon).isEqualTo(ReportPublisher.Outcome.DEFERRED);
    assertThat(later).isEqualTo(ReportPublisher.Outcome.WRITTEN);
    assertThat(quiet).isEqualTo(ReportPublisher.Outcome.UNCHANGED);
    assertThat(heartbeat).isEqualTo(ReportPublisher.Outcome.WRITTEN);
    assertThat(writes).as("API requests: one PATCH per write, nothing else").isEqualTo(4);
    JsonNode report = annotation();
    assertThat(report.path("version").asInt()).isEqualTo(1);
    assertThat(report.path("observedAt").asText()).isEqualTo(T0.plusSeconds(421).toString());
    assertThat(report.path("uplink").asText()).isEqualTo("eth0");
    assertThat(report.path("rpFilter").path("eth0").asInt()).isEqualTo(1);
    assertThat(report.path("ciliumHealth").path("health-endpoint").path("primary-address").path("icmp")
        .path("status").asText()).isEqualTo("Connection timed out");
    assertThat(report.has("ciliumHealthError")).isFalse();
  }

  @Test
  void anApiErrorIsReportedAndRetriedNextRound() throws Exception {
    NodeAnnotations annotations = new NodeAnnotations(URI.create(client.getMasterUrl().toString()), null, null);
    ReportPublisher publisher = new ReportPublisher("ghost", new FakeFacts(),
        (node, report) -> annotations.set(node, NodeReport.ANNOTATION, report), Duration.ofMinutes(5),
        Duration.ofSeconds(30));

    assertThat(publisher.round(T0)).isEqualTo(ReportPublisher.Outcome.FAILED);
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName("ghost").endMetadata().build()).create();
    assertThat(publisher.round(T0.plusSeconds(30))).isEqualTo(ReportPublisher.Outcome.WRITTEN);
  }

  @Test
  void anUnreadableHealthSocketIsInTheReport() throws Exception {
    NodeReport report = NodeReport.of(T0, "eth0", Map.of("all", 0), Map.of("eth0", "rp_filter is not a number"),
        HealthReading.failed("cilium-health socket /var/run/cilium/health.sock does not exist"));

    JsonNode json = JSON.readTree(report.text());

    assertThat(json.get("ciliumHealth").isNull()).isTrue();
    assertThat(json.path("ciliumHealthError").asText()).contains("does not exist");
    assertThat(json.path("rpFilterErrors").path("eth0").asText()).contains("not a number");
  }
}

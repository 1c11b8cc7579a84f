package io.chainwatch.watcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.chainwatch.config.ConfigLoader;
import io.chainwatch.testkit.EmbeddedKafka;
import io.chainwatch.testkit.LocalSlackServer;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole run pipeline with every channel real: fabric8's mock API server, a KRaft broker in this JVM and a local
 * Slack Web API server. A race pod is found, evicted and verified; the audit log, the pages, Slack and the Events
 * tell the same story under one incident id.
 */
@Tag("slow")
@EnableKubernetesMockClient(crud = true, https = false)
class NotifiersEndToEndMockServerTest {
  KubernetesClient client;
  KubernetesMockServer server;
  @TempDir Path dir;

  private Chainwatch chainwatch;
  private EmbeddedKafka kafka;
  private LocalSlackServer slack;

  @AfterEach
  void stop() {
    if (chainwatch != null) {
      chainwatch.close();
    }
    if (slack != null) {
      slack.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void aRacePodIsOneIncidentInKafkaSlackAndEvents() throws Exception {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"));
    kafka.createTopics("chainwatch.audit", "chainwatch.pages", "chainwatch.inventory");
    slack = LocalSlackServer.start();
    Files.writeString(dir.resolve("token"), "xoxb-e2e");
    Instant agentReady = Instant.now().minusSeconds(600);
    client.getConfiguration().setRequestRetryBackoffLimit(0);
    // a node of an EKS node group, as its kubelet reports itself: the fleet facts every record carries
    client.nodes().resource(new io.fabric8.kubernetes.api.model.NodeBuilder(KubeObjects.node("node-1"))
        .editMetadata().addToLabels("eks.amazonaws.com/nodegroup", "np-web").endMetadata()
        .editOrNewStatus().withNodeInfo(new io.fabric8.kubernetes.api.model.NodeSystemInfoBuilder()
            .withOsImage("Amazon Linux 2023.5.20240805").withKernelVersion("6.1.102-108.177.amzn2023.x86_64")
            .withKubeletVersion("v1.30.2-eks-1552ad0").build()).endStatus().build()).create();
    client.pods().resource(KubeObjects.agent("node-1", agentReady)).create();
    server.expect().post().withPath("/api/v1/namespaces/shop/pods/racer/eviction")
        .andReturn(201, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\",\"code\":201}").always();
    chainwatch = Chainwatch.start(ConfigLoader.load(null, Map.of(
        "CHAINWATCH_HTTP_PORT", "0",
        "CHAINWATCH_CLUSTER_NAME", "e2e",
        "CHAINWATCH_REMEDIATION_MODE", "enforce",
        "CHAINWATCH_STATE_DIR", dir.resolve("state").toString(),
        "CHAINWATCH_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
        "CHAINWATCH_KAFKA_INVENTORY_TOPIC", "chainwatch.inventory",
        "CHAINWATCH_SLACK_TOKEN_FILE", dir.resolve("token").toString(),
        "CHAINWATCH_SLACK_CHANNEL", "#network-oncall",
        "CHAINWATCH_SLACK_API_URL", slack.apiUrl())), client, Clock.systemUTC(),
        new PrintStream(OutputStream.nullOutputStream()));
    await().atMost(Duration.ofSeconds(15)).until(chainwatch::ready);

    client.pods().resource(KubeObjects.pod("shop", "racer", "node-1", agentReady.minusSeconds(30))).create();

    await().atMost(Duration.ofSeconds(20)).until(() -> !slack.roots().isEmpty()
        && slack.replies(slack.roots().get(0).ts).stream().anyMatch(m -> m.text.contains("evicted")));
    List<JsonObject> audit = read("chainwatch.audit", 5);
    List<JsonObject> pages = read("chainwatch.pages", 1);
    assertThat(audit).extracting(e -> e.getString("type")).contains("io.chainwatch.finding.v1",
        "io.chainwatch.remediation.decision.v1", "io.chainwatch.remediation.outcome.v1", "io.chainwatch.incident.v1");
    String incident = audit.get(0).getString("chainwatchincident");
    assertThat(audit).allMatch(e -> e.getString("chainwatchincident").equals(incident));
    JsonObject found = audit.stream().filter(e -> e.getString("type").equals("io.chainwatch.finding.v1")).findFirst()
        .orElseThrow();
    assertThat(found.getString("chainwatchcluster")).isEqualTo("e2e");
    assertThat(found.getString("chainwatchnode")).isEqualTo("node-1");
    assertThat(found.getString("chainwatchnodepool")).isEqualTo("np-web");
    assertThat(found.getString("chainwatchosimage")).isEqualTo("Amazon Linux 2023.5.20240805");
    assertThat(found.getString("chainwatchkernel")).isEqualTo("6.1.102-108.177.amzn2023.x86_64");
    assertThat(found.getString("chainwatchkubelet")).isEqualTo("v1.30.2-eks-1552ad0");
    assertThat(found.getString("chainwatchcause")).isEqualTo("missed-cilium-chain/" + found.getJsonObject("data")
        .getString("reason") + "/node-pool=np-web");
    // the node inventory: one record for the node, keyed cluster/node, with the facts a fleet computes shares of
    ConsumerRecord<String, String> node = records("chainwatch.inventory", 1).get(0);
    assertThat(node.key()).isEqualTo("e2e/node-1");
    assertThat(new JsonObject(node.value()).getMap()).containsEntry("nodePool", "np-web")
        .containsEntry("osImage", "Amazon Linux 2023.5.20240805").containsEntry("kubelet", "v1.30.2-eks-1552ad0")
        .containsEntry("probeReports", false);
    assertThat(new String(node.headers().lastHeader("chainwatch-cluster").value(),
        java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("e2e");
    assertThat(incident).startsWith("e2e-");
    Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(
        Files.readString(Path.of("..", "docs", "schema", "chainwatch-record-v1.schema.json")), InputFormat.JSON);
    for (JsonObject event : audit) {
      assertThat(schema.validate(event.encode(), InputFormat.JSON)).as(event.encodePrettily()).isEmpty();
    }
    assertThat(pages.get(0).getString("type")).isEqualTo("io.chainwatch.page.v1");
    assertThat(slack.roots()).hasSize(1);
    assertThat(slack.roots().get(0).blocks.encode()).contains("Pods missed the Cilium chain on node node-1",
        "Pod/shop/racer", incident);
    await().atMost(Duration.ofSeconds(10)).until(() -> client.events().v1().events().inNamespace("shop").list()
        .getItems().stream().map(Event::getReason).toList().containsAll(List.of("MissedCiliumChain",
            "PodRestarted")));
    // the open-incident gauge is counted once per notifier tick: wait for it rather than read it at once
    await().atMost(Duration.ofSeconds(5)).until(() -> chainwatch.metrics().scrape()
        .contains("chainwatch_incidents_open 1.0"));
    assertThat(chainwatch.metrics().scrape()).contains("chainwatch_kafka_dropped_total 0.0");
  }

  private List<JsonObject> read(String topic, int atLeast) {
    List<JsonObject> events = new ArrayList<>();
    for (ConsumerRecord<String, String> record : records(topic, atLeast)) {
      events.add(new JsonObject(record.value()));
      assertThat(record.key()).isEqualTo(new JsonObject(record.value()).getString("chainwatchincident"));
    }
    return events;
  }

  private List<ConsumerRecord<String, String>> records(String topic, int atLeast) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-" + topic);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (records.size() < atLeast && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }
}

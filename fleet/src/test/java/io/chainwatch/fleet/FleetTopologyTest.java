package io.chainwatch.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The topology through Kafka Streams' TopologyTestDriver with its real state store. The records are shaped as
 * chainwatch's CloudEventMapper writes them (assembled here: the fleet reads only the attributes named).
 */
class FleetTopologyTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final String UBUNTU = "rp-filter-reset/cilium-interfaces-filtered/os-image=Ubuntu 22.04.4 LTS";
  @org.junit.jupiter.api.io.TempDir java.nio.file.Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, String> prod;
  private TestInputTopic<String, String> staging;
  private TestInputTopic<String, String> edge;
  private TestOutputTopic<String, String> fleet;

  @BeforeEach
  void start() {
    FleetConfig config = new FleetConfig(Pattern.compile("chainwatch\\.audit.*"), "chainwatch.fleet", 2,
        Duration.ofMinutes(30));
    Properties properties = new Properties();
    properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "fleet-test");
    properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString()); // never a directory another run shares
    driver = new TopologyTestDriver(FleetTopology.build(config), properties);
    prod = driver.createInputTopic("chainwatch.audit.prod", new StringSerializer(), new StringSerializer());
    staging = driver.createInputTopic("chainwatch.audit.staging", new StringSerializer(), new StringSerializer());
    edge = driver.createInputTopic("chainwatch.audit.edge", new StringSerializer(), new StringSerializer());
    fleet = driver.createOutputTopic("chainwatch.fleet", new StringDeserializer(), new StringDeserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private static String record(String type, String cluster, String node, String cause, Instant at) {
    return new JsonObject().put("specversion", "1.0").put("id", cluster + node + at + type).put("type", type)
        .put("source", "/chainwatch/" + cluster).put("time", at.toString())
        .put("chainwatchincident", cluster + "-inc-" + node).put("chainwatchcluster", cluster)
        .put("chainwatchnode", node).put("chainwatchcause", cause)
        .put("data", new JsonObject().put("schemaVersion", 1).put("dedupKey", "rp-filter-reset:Node/" + node
            + ":cilium-interfaces-filtered")).encode();
  }

  private static String found(String cluster, String node, String cause, Instant at) {
    return record(FleetTopology.FINDING, cluster, node, cause, at);
  }

  private List<JsonObject> incidents() {
    return fleet.readValuesToList().stream().map(JsonObject::new).toList();
  }

  @Test
  void anOsImageRolloutResettingRpFilterInTwoClustersIsOneFleetIncidentNamingTheImage() {
    prod.pipeInput("k", found("prod", "n1", UBUNTU, T0));
    prod.pipeInput("k", found("prod", "n2", UBUNTU, T0.plusSeconds(5)));
    assertThat(incidents()).as("one cluster is that cluster's own incident").isEmpty();

    staging.pipeInput("k", found("staging", "s7", UBUNTU, T0.plusSeconds(60)));

    List<JsonObject> opened = incidents();
    assertThat(opened).singleElement().satisfies(event -> {
      assertThat(event.getString("type")).isEqualTo("io.chainwatch.fleet.incident.v1");
      JsonObject data = event.getJsonObject("data");
      assertThat(data.getString("change")).isEqualTo("opened");
      assertThat(data.getString("dimension")).isEqualTo("os-image=Ubuntu 22.04.4 LTS");
      assertThat(data.getJsonArray("clusters").getList()).containsExactly("prod", "staging");
      assertThat(data.getInteger("openFindings")).isEqualTo(3);
      assertThat(data.getJsonArray("linkedIncidents").getList()).containsExactly("prod/prod-inc-n1",
          "prod/prod-inc-n2", "staging/staging-inc-s7");
    });

    // a third cluster joins: the same incident, updated
    edge.pipeInput("k", found("edge", "e1", UBUNTU, T0.plusSeconds(90)));
    assertThat(incidents()).singleElement().satisfies(event -> {
      assertThat(event.getJsonObject("data").getString("change")).isEqualTo("updated");
      assertThat(event.getJsonObject("data").getString("incident"))
          .isEqualTo(opened.get(0).getJsonObject("data").getString("incident"));
    });

    // another finding in a cluster already counted: nothing a person needs to see
    prod.pipeInput("k", found("prod", "n3", UBUNTU, T0.plusSeconds(100)));
    assertThat(incidents()).isEmpty();
  }

  @Test
  void manyNodesOfOneClusterOrOneNodeEachOfDifferentCausesRaiseNothing() {
    for (int i = 0; i < 20; i++) {
      prod.pipeInput("k", found("prod", "n" + i, UBUNTU, T0.plusSeconds(i)));
    }
    staging.pipeInput("k", found("staging", "s1", "rp-filter-reset/cilium-interfaces-filtered/os-image=Flatcar 3975",
        T0.plusSeconds(30)));
    prod.pipeInput("k", "not json at all");
    prod.pipeInput("k", new JsonObject().put("type", "io.chainwatch.incident.v1").encode());

    assertThat(incidents()).isEmpty();
  }

  @Test
  void itResolvesWhenTheClustersClearAndOldFindingsStopCounting() {
    prod.pipeInput("k", found("prod", "n1", UBUNTU, T0));
    staging.pipeInput("k", found("staging", "s1", UBUNTU, T0.plusSeconds(10)));
    assertThat(incidents()).singleElement().satisfies(e ->
        assertThat(e.getJsonObject("data").getString("change")).isEqualTo("opened"));

    staging.pipeInput("k", record(FleetTopology.CLEARED, "staging", "s1", UBUNTU, T0.plusSeconds(20)));
    assertThat(incidents()).singleElement().satisfies(e -> {
      assertThat(e.getJsonObject("data").getString("change")).isEqualTo("resolved");
      assertThat(e.getJsonObject("data").getJsonArray("clusters").getList()).containsExactly("prod");
    });

    // an hour later a second cluster reports the cause: prod's finding is older than the window and no longer counts
    staging.pipeInput("k", found("staging", "s2", UBUNTU, T0.plusSeconds(3600)));
    assertThat(incidents()).isEmpty();
  }

  @Test
  void theStateIsInAPersistentStoreWithAChangelog() {
    assertThat(driver.getAllStateStores()).containsKey(FleetTopology.STORE);
    assertThat(driver.getAllStateStores().get(FleetTopology.STORE).persistent()).isTrue();
    assertThat(driver.producedTopicNames()).isEmpty(); // nothing produced before input
    prod.pipeInput("k", found("prod", "n1", UBUNTU, T0));
    assertThat(driver.producedTopicNames()).contains("fleet-test-" + FleetTopology.STORE + "-changelog");
  }

  @Test
  void badConfigurationIsNamed() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> FleetConfig.fromEnv(Map.of(
        "CHAINWATCH_FLEET_MIN_CLUSTERS", "1"))).hasMessageContaining("CHAINWATCH_FLEET_MIN_CLUSTERS must be at least 2");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> FleetConfig.fromEnv(Map.of(
        "CHAINWATCH_FLEET_WINDOW", "30m"))).hasMessageContaining("CHAINWATCH_FLEET_WINDOW must be an ISO-8601");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> FleetMain.properties(Map.of()))
        .hasMessageContaining("CHAINWATCH_FLEET_BOOTSTRAP_SERVERS");
    assertThat(FleetMain.properties(Map.of("CHAINWATCH_FLEET_BOOTSTRAP_SERVERS", "kafka:9092"))
        .get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");
  }
}

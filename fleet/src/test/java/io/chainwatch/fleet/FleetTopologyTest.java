package io.chainwatch.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
  private TestInputTopic<String, String> inventory;
  private TestOutputTopic<String, String> fleet;

  @BeforeEach
  void start() {
    FleetConfig config = FleetConfig.defaults();
    Properties properties = new Properties();
    properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "fleet-test");
    properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString()); // never a directory another run shares
    driver = new TopologyTestDriver(FleetTopology.build(config), properties);
    // Records piped without a timestamp are stamped T0, not the wall clock: stream time is the correlator's clock, and
    // a wall clock more than the window past T0 made every finding here too old to count (it broke on the day of T0)
    prod = input("chainwatch.audit.prod");
    staging = input("chainwatch.audit.staging");
    edge = input("chainwatch.audit.edge");
    inventory = input("chainwatch.inventory");
    fleet = driver.createOutputTopic("chainwatch.fleet", new StringDeserializer(), new StringDeserializer());
  }

  private TestInputTopic<String, String> input(String topic) {
    return driver.createInputTopic(topic, new StringSerializer(), new StringSerializer(), T0, java.time.Duration.ZERO);
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

  /** A node as NodeInventory publishes it (key {@code cluster/node}). */
  private void node(String cluster, String node, String osImage) {
    inventory.pipeInput(cluster + "/" + node, osImage == null ? null : new JsonObject().put("schemaVersion", 1)
        .put("cluster", cluster).put("node", node).put("nodePool", "pool-a").put("osImage", osImage)
        .put("kernel", "6.8.0").put("kubelet", "v1.30.2").put("ciliumVersion", "1.16.5").put("probeReports", true)
        .encode());
  }

  private static final com.networknt.schema.Schema SCHEMA = schema();

  private static com.networknt.schema.Schema schema() {
    try {
      return com.networknt.schema.SchemaRegistry.withDefaultDialect(
          com.networknt.schema.SpecificationVersion.DRAFT_2020_12).getSchema(java.nio.file.Files.readString(
              java.nio.file.Path.of("..", "docs", "schema", "chainwatch-fleet-incident-v1.schema.json")),
          com.networknt.schema.InputFormat.JSON);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The fleet incidents produced since the last call, each checked against the published schema. */
  private List<JsonObject> incidents() {
    List<String> values = fleet.readValuesToList();
    for (String value : values) {
      assertThat(SCHEMA.validate(value, com.networknt.schema.InputFormat.JSON)).as(value).isEmpty();
    }
    return values.stream().map(JsonObject::new).toList();
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
  void aShareOfOneImagesNodesInOneClusterIsAFleetIncidentOnceTheInventoryKnowsHowManyThereAre() {
    for (int i = 0; i < 10; i++) {
      node("prod", "n" + i, "Ubuntu 22.04.4 LTS");
    }
    for (int i = 0; i < 30; i++) {
      node("prod", "f" + i, "Flatcar 3975");
    }
    prod.pipeInput("k", found("prod", "n1", UBUNTU, T0));
    prod.pipeInput("k", found("prod", "n2", UBUNTU, T0.plusSeconds(1)));
    assertThat(incidents()).as("two nodes: below CHAINWATCH_FLEET_MIN_NODES").isEmpty();

    prod.pipeInput("k", found("prod", "n3", UBUNTU, T0.plusSeconds(2)));
    assertThat(incidents()).singleElement().satisfies(event -> {
      JsonObject data = event.getJsonObject("data");
      assertThat(data.getString("change")).isEqualTo("opened");
      assertThat(data.getJsonArray("rules").getList()).containsExactly("share");
      assertThat(data.getJsonArray("clusters").getList()).containsExactly("prod");
      assertThat(data.getInteger("nodes")).isEqualTo(3);
      assertThat(data.getLong("dimensionNodes")).isEqualTo(10L);
      assertThat(data.getDouble("sharePercent")).isEqualTo(30.0);
    });

    // the image rolls out to more nodes: at 3 of 16 (18.75 %) the share no longer holds and the incident resolves
    for (int i = 10; i < 30; i++) {
      node("prod", "n" + i, "Ubuntu 22.04.4 LTS");
    }
    List<JsonObject> afterRollout = incidents();
    assertThat(afterRollout).singleElement().satisfies(event -> {
      assertThat(event.getJsonObject("data").getString("change")).isEqualTo("resolved");
      assertThat(event.getJsonObject("data").getLong("dimensionNodes")).as("3 of 16 is below 20 %%").isEqualTo(16L);
    });
  }

  @Test
  void aNodeThatChangesItsImageMovesBetweenCountsAndATombstoneRemovesIt() {
    for (int i = 0; i < 4; i++) {
      node("prod", "n" + i, "Flatcar 3975");
    }
    // three Flatcar nodes are upgraded to Ubuntu, one node goes away: Ubuntu has 3, Flatcar none
    node("prod", "n0", "Ubuntu 22.04.4 LTS");
    node("prod", "n1", "Ubuntu 22.04.4 LTS");
    node("prod", "n2", "Ubuntu 22.04.4 LTS");
    node("prod", "n3", null);
    node("prod", "n3", null); // a replayed tombstone changes nothing
    node("prod", "n0", "Ubuntu 22.04.4 LTS"); // nor a replayed record
    inventory.pipeInput("prod/n9", "not json"); // nor garbage
    @SuppressWarnings("unchecked")
    org.apache.kafka.streams.state.KeyValueStore<String, Long> totals =
        (org.apache.kafka.streams.state.KeyValueStore<String, Long>) driver.getAllStateStores()
            .get(FleetTopology.TOTALS);
    assertThat(totals.get("os-image=Ubuntu 22.04.4 LTS")).isEqualTo(3L);
    assertThat(totals.get("os-image=Flatcar 3975")).isNull();
    assertThat(totals.get("node-pool=pool-a")).isEqualTo(3L);
    assertThat(incidents()).isEmpty();
  }

  @Test
  void anOpenFleetIncidentStaysOpenPastTheWindowUntilItsFindingsClear() {
    prod.pipeInput("k", found("prod", "n1", UBUNTU, T0));
    staging.pipeInput("k", found("staging", "s1", UBUNTU, T0.plusSeconds(10)));
    assertThat(incidents()).hasSize(1);

    // two hours later an unrelated cause arrives in the same partition's time: nothing of this one changes
    edge.pipeInput("k", found("edge", "e1", "rp-filter-reset/cilium-interfaces-filtered/os-image=Flatcar 3975",
        T0.plusSeconds(7200)));
    prod.pipeInput("k", found("prod", "n2", UBUNTU, T0.plusSeconds(7300)));
    assertThat(incidents()).as("prod was counted already; the outage is still there").isEmpty();

    prod.pipeInput("k", record(FleetTopology.CLEARED, "prod", "n1", UBUNTU, T0.plusSeconds(7400)));
    prod.pipeInput("k", record(FleetTopology.CLEARED, "prod", "n2", UBUNTU, T0.plusSeconds(7410)));
    assertThat(incidents()).singleElement().satisfies(event ->
        assertThat(event.getJsonObject("data").getString("change")).isEqualTo("resolved"));
  }

  @Test
  void causesWithoutAnIncidentForgetFindingsOlderThanTheWindowEveryFiveMinutes() {
    prod.pipeInput("k", found("prod", "n1", UBUNTU, T0), T0);
    prod.pipeInput("k", found("prod", "n2", UBUNTU, T0), T0);
    @SuppressWarnings("unchecked")
    org.apache.kafka.streams.state.KeyValueStore<String, String> store =
        (org.apache.kafka.streams.state.KeyValueStore<String, String>) driver.getAllStateStores()
            .get(FleetTopology.STORE);
    assertThat(store.get("c\u0000" + UBUNTU)).contains("\"prod\":2");

    // two hours on (another cause's record moves stream time), the wall-clock sweep runs
    edge.pipeInput("k", found("edge", "e1", "rp-filter-reset/cilium-interfaces-filtered/os-image=Flatcar 3975",
        T0.plusSeconds(7200)), T0.plusSeconds(7200));
    driver.advanceWallClockTime(java.time.Duration.ofMinutes(5));
    assertThat(store.get("c\u0000" + UBUNTU)).isNull();
    try (var left = store.prefixScan("f\u0000" + UBUNTU, new StringSerializer())) {
      assertThat(left.hasNext()).isFalse();
    }
    staging.pipeInput("k", found("staging", "s1", UBUNTU, T0.plusSeconds(7300)), T0.plusSeconds(7300));
    assertThat(incidents()).isEmpty();
  }

  @Test
  void theStateIsInAPersistentStoreWithAChangelog() {
    assertThat(driver.getAllStateStores()).containsKeys(FleetTopology.STORE, FleetTopology.TOTALS,
        FleetTopology.INVENTORY);
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
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> FleetConfig.fromEnv(Map.of(
        "CHAINWATCH_FLEET_TOPIC", "chainwatch.audit.fleet"))).hasMessageContaining("CHAINWATCH_FLEET_TOPIC must be")
        .hasMessageContaining("chainwatch.audit.fleet");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> FleetConfig.fromEnv(Map.of(
        "CHAINWATCH_FLEET_MIN_SHARE_PERCENT", "0"))).hasMessageContaining("CHAINWATCH_FLEET_MIN_SHARE_PERCENT");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> FleetConfig.fromEnv(Map.of(
        "CHAINWATCH_FLEET_AUDIT_TOPICS", "chainwatch.audit.(("))).hasMessageContaining(
        "CHAINWATCH_FLEET_AUDIT_TOPICS must be a regular expression");
    assertThat(FleetConfig.defaults().auditTopics().matcher("chainwatch.audit").matches()).isTrue();
    assertThat(FleetConfig.defaults().auditTopics().matcher("chainwatch.audit.prod-eu").matches()).isTrue();
    assertThat(FleetConfig.defaults().auditTopics().matcher("chainwatch.auditx").matches()).isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> FleetMain.properties(Map.of()))
        .hasMessageContaining("CHAINWATCH_FLEET_BOOTSTRAP_SERVERS");
    assertThat(FleetMain.properties(Map.of("CHAINWATCH_FLEET_BOOTSTRAP_SERVERS", "kafka:9092"))
        .get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");
  }
}

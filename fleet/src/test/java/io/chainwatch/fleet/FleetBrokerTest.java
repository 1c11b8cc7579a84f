package io.chainwatch.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chainwatch.config.NotifiersConfig;
import io.chainwatch.model.DetectorText;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingCleared;
import io.chainwatch.model.FleetDimension;
import io.chainwatch.model.NodeFacts;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.notifier.incident.DetectorTexts;
import io.chainwatch.notifier.kafka.CloudEventMapper;
import io.chainwatch.notifier.kafka.KafkaNotifier;
import io.chainwatch.notifier.alert.AlertOutbox;
import io.chainwatch.notifier.slack.SlackNotifier;
import io.chainwatch.testkit.EmbeddedKafka;
import io.chainwatch.testkit.LocalPagerDutyServer;
import io.chainwatch.testkit.LocalSlackServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three clusters' chainwatch Kafka paths (the real CloudEvent mapper and Kafka notifier with its spool, each cluster
 * to its own audit topic) and the fleet correlator on the real in-process KRaft broker, exactly-once. The fleet
 * topic is read with {@code read_committed}, as a consumer of it must.
 */
@Tag("slow")
class FleetBrokerTest {
  private static final String UBUNTU = "Ubuntu 22.04.4 LTS";
  private static final DetectorTexts TEXTS = DetectorTexts.of(Map.of("rp-filter-reset",
      new DetectorText("Host rp_filter drops pod traffic", "", FleetDimension.OS_IMAGE)));
  @TempDir Path dir;

  /** One cluster's chainwatch as far as Kafka is concerned. */
  private final class Cluster implements AutoCloseable {
    final String name;
    final KafkaNotifier notifier;
    final Map<String, String> osImages = new HashMap<>();
    final CloudEventMapper mapper;

    Cluster(EmbeddedKafka kafka, String name) throws Exception {
      this.name = name;
      notifier = new KafkaNotifier(new NotifiersConfig.Kafka(kafka.bootstrapServers(), "chainwatch.audit." + name,
          "chainwatch.pages." + name, 16L * 1024 * 1024, Duration.ofSeconds(10), "PLAINTEXT", "PLAIN", "", "", "", ""),
          dir.resolve("spool-" + name), Map.of());
      notifier.start();
      mapper = new CloudEventMapper(name, TEXTS,
          node -> new NodeFacts(node, "pool-a", osImages.get(node), "6.8.0", "v1.30.2", "1.16.5"));
    }

    /** The probe on {@code node} (running {@code osImage}) found rp_filter reset on the lxc interfaces. */
    void rpFilterReset(String node, String osImage) {
      osImages.put(node, osImage);
      Finding finding = new Finding("rp-filter-reset", ResourceRef.node(node), node, Severity.CRITICAL,
          PlannedAction.PAGE, "cilium-interfaces-filtered", "rp_filter is 1 on lxc*", Instant.now(), Map.of());
      JsonObject event = mapper.audit(finding, name + "-" + node).orElseThrow();
      notifier.send("chainwatch.audit." + name, name + "-" + node, event.encode(), CloudEventMapper.headers(event));
    }

    /** That finding cleared (the host's rp_filter was repaired). */
    void rpFilterRepaired(String node) {
      Finding finding = new Finding("rp-filter-reset", ResourceRef.node(node), node, Severity.CRITICAL,
          PlannedAction.PAGE, "cilium-interfaces-filtered", "rp_filter is 1 on lxc*", Instant.now(), Map.of());
      JsonObject event = mapper.audit(new FindingCleared(finding, Instant.now()), name + "-" + node).orElseThrow();
      notifier.send("chainwatch.audit." + name, name + "-" + node, event.encode(), CloudEventMapper.headers(event));
    }

    @Override
    public void close() {
      notifier.close();
    }
  }

  private Properties fleetProperties(EmbeddedKafka kafka, String applicationId, String stateDir) {
    return FleetMain.properties(fleetEnv(kafka, applicationId, stateDir));
  }

  private static Map<String, String> fleetEnv(EmbeddedKafka kafka, String applicationId, String stateDir) {
    return Map.of("CHAINWATCH_FLEET_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
        "CHAINWATCH_FLEET_APPLICATION_ID", applicationId,
        "CHAINWATCH_FLEET_STATE_DIR", stateDir,
        // a killed instance's partitions move after the session timeout: the broker's minimum, not 45 s
        "CHAINWATCH_FLEET_KAFKA_SESSION_TIMEOUT_MS", "6000",
        "CHAINWATCH_FLEET_KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
  }

  private static KafkaConsumer<String, String> reader(EmbeddedKafka kafka, String topic) {
    Properties consumer = new Properties();
    consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    consumer.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + topic);
    consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaConsumer<String, String> reader = new KafkaConsumer<>(consumer, new StringDeserializer(),
        new StringDeserializer());
    reader.subscribe(List.of(topic));
    return reader;
  }

  /** Reads until {@code expected} incidents arrived, then on for {@code quiet} to catch any that should not. */
  private static List<JsonObject> incidents(KafkaConsumer<String, String> reader, int expected, Duration quiet) {
    List<JsonObject> incidents = new ArrayList<>();
    await().atMost(Duration.ofSeconds(120)).until(() -> {
      reader.poll(Duration.ofMillis(200)).forEach(r -> incidents.add(new JsonObject(r.value())));
      return incidents.size() >= expected;
    });
    long quietUntil = System.nanoTime() + quiet.toNanos();
    while (System.nanoTime() < quietUntil) {
      reader.poll(Duration.ofMillis(200)).forEach(r -> incidents.add(new JsonObject(r.value())));
    }
    return incidents;
  }

  @Test
  void anOsImageRolloutInTwoClustersIsOneFleetIncidentAndOneNodeElsewhereIsNone() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        LocalSlackServer slack = LocalSlackServer.start();
        LocalPagerDutyServer pagerDuty = LocalPagerDutyServer.start()) {
      kafka.createTopics("chainwatch.audit.prod", "chainwatch.audit.staging", "chainwatch.audit.edge",
          "chainwatch.fleet");
      Properties streamsProperties = fleetProperties(kafka, "fleet-rollout", dir.resolve("state").toString());
      FleetPagers.Config people = FleetPagers.Config.fromEnv(Map.of(
          "CHAINWATCH_FLEET_SLACK_TOKEN_FILE", Files.writeString(dir.resolve("token"), "xoxb-test").toString(),
          "CHAINWATCH_FLEET_SLACK_CHANNEL", "#platform-fleet",
          "CHAINWATCH_FLEET_SLACK_API_URL", slack.apiUrl(),
          "CHAINWATCH_FLEET_PAGERDUTY_ROUTING_KEY_FILE", Files.writeString(dir.resolve("routing-key"),
              "R0123456789abcdef0123456789abcde").toString(),
          "CHAINWATCH_FLEET_PAGERDUTY_API_URL", pagerDuty.enqueueUrl()));
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry =
          new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
              io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
      try (KafkaStreams streams = new KafkaStreams(FleetTopology.build(FleetConfig.defaults(),
              FleetMain.metrics(registry)), streamsProperties);
          FleetPagers pagers = new FleetPagers(people, dir.resolve("pagers"), "chainwatch.fleet", "fleet-pagers",
              FleetMain.clientProperties(streamsProperties),
              new AlertOutbox.Timing(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(5)),
              new SlackNotifier.Timing(Duration.ZERO, Duration.ofMillis(200), Duration.ofSeconds(5)));
          Cluster prod = new Cluster(kafka, "prod");
          Cluster staging = new Cluster(kafka, "staging");
          Cluster edge = new Cluster(kafka, "edge");
          KafkaConsumer<String, String> reader = reader(kafka, "chainwatch.fleet")) {
        streams.start();

        prod.rpFilterReset("p1", UBUNTU);
        prod.rpFilterReset("p2", UBUNTU);
        edge.rpFilterReset("e1", "Flatcar Container Linux 3975.2.0");
        staging.rpFilterReset("s1", UBUNTU);

        assertThat(incidents(reader, 1, Duration.ofSeconds(3))).singleElement().satisfies(event -> {
          JsonObject data = event.getJsonObject("data");
          assertThat(data.getString("change")).isEqualTo("opened");
          assertThat(data.getString("cause")).isEqualTo("rp-filter-reset/cilium-interfaces-filtered/os-image=" + UBUNTU);
          assertThat(data.getJsonArray("rules").getList()).containsExactly("clusters");
          assertThat(data.getJsonArray("clusters").getList()).containsExactly("prod", "staging");
          // prod's two records and staging's come from different topics, in no fixed order: the incident opens
          // when the second cluster's arrives, and a second finding in a counted cluster changes nothing
          assertThat(data.getJsonArray("linkedIncidents").getList()).contains("staging/staging-s1")
              .anySatisfy(linked -> assertThat((String) linked).startsWith("prod/prod-p"))
              .noneSatisfy(linked -> assertThat((String) linked).startsWith("edge/"));
        });

        // a person hears of it once, in the fleet's channel and on PagerDuty, naming the image
        await().atMost(Duration.ofSeconds(30)).until(() -> slack.roots().size() == 1
            && pagerDuty.events().size() == 1);
        LocalSlackServer.Message root = slack.roots().get(0);
        assertThat(root.channel).isEqualTo(LocalSlackServer.channelId("#platform-fleet"));
        assertThat(root.text).contains("Fleet: rp-filter-reset in 2 clusters (os-image=" + UBUNTU + ")");
        LocalPagerDutyServer.Event trigger = pagerDuty.events().get(0);
        assertThat(trigger.action()).isEqualTo("trigger");
        assertThat(trigger.dedupKey()).startsWith("fleet-");
        assertThat(trigger.payload().getString("summary")).contains("[fleet]").contains(UBUNTU)
            .contains("prod, staging");

        // staging's host is repaired: one cluster is left, the fleet incident resolves, the alert with it
        staging.rpFilterRepaired("s1");
        assertThat(incidents(reader, 1, Duration.ofSeconds(2))).singleElement().satisfies(event ->
            assertThat(event.getJsonObject("data").getString("change")).isEqualTo("resolved"));
        await().atMost(Duration.ofSeconds(30)).until(() -> "resolved".equals(pagerDuty.alertState(
            trigger.dedupKey())));
        assertThat(slack.roots()).as("the same root message, no second one").hasSize(1);
        assertThat(registry.get("chainwatch.fleet.incidents").tag("change", "opened").counter().count()).isEqualTo(1);
        assertThat(registry.get("chainwatch.fleet.incidents").tag("change", "resolved").counter().count())
            .isEqualTo(1);
        assertThat(registry.get("chainwatch.fleet.audit.records").counter().count()).isEqualTo(5);
      }
    }
  }

  @Test
  void anInstanceKilledMidWindowIsTakenOverWithNothingLostOrDoubled() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      kafka.createTopics("chainwatch.audit.prod", "chainwatch.audit.staging", "chainwatch.audit.edge",
          "chainwatch.fleet");
      String app = "fleet-failover";
      Path log = dir.resolve("instance-a.log");
      // instance A is a separate JVM, so that it can be killed as a crash kills it: no close, no commit
      ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-cp", System.getProperty("java.class.path"), FleetMain.class.getName(), "fleet")
          .redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(fleetEnv(kafka, app, dir.resolve("state-a").toString()));
      Process instanceA = builder.start();
      try (Cluster prod = new Cluster(kafka, "prod");
          Cluster staging = new Cluster(kafka, "staging");
          Cluster edge = new Cluster(kafka, "edge");
          KafkaConsumer<String, String> reader = reader(kafka, "chainwatch.fleet");
          KafkaConsumer<String, String> changelog = reader(kafka, app + "-" + FleetTopology.STORE + "-changelog");
          Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        // mid-window: prod's finding is in A's state, committed
        prod.rpFilterReset("p1", UBUNTU);
        await().atMost(Duration.ofSeconds(120)).until(() -> !changelog.poll(Duration.ofMillis(200)).isEmpty());

        // B joins; with its state on A, the assignor leaves the correlator's tasks on A
        try (KafkaStreams instanceB = new KafkaStreams(FleetTopology.build(FleetConfig.defaults()),
            fleetProperties(kafka, app, dir.resolve("state-b").toString()))) {
          instanceB.start();
          await().atMost(Duration.ofSeconds(120)).until(() -> instanceB.state() == KafkaStreams.State.RUNNING
              && admin.describeConsumerGroups(List.of(app)).all().get().get(app).members().size() == 2);

          staging.rpFilterReset("s1", UBUNTU);
          // killed as soon as staging's finding is in the broker: A may have read it and be inside its transaction
          await().atMost(Duration.ofSeconds(60)).until(() -> staging.notifier.acknowledged() == 1);
          instanceA.destroyForcibly().waitFor();
          // after the crash only B runs: the third cluster's finding is B's to add to the incident
          edge.rpFilterReset("e1", UBUNTU);

          List<JsonObject> incidents = incidents(reader, 2, Duration.ofSeconds(5));
          assertThat(incidents).as("opened once, then updated once, both after the crash by B or the opening by A; A's log: %s",
              Files.exists(log) ? Files.readString(log) : "").hasSize(2);
          JsonObject opened = incidents.get(0).getJsonObject("data");
          assertThat(opened.getString("change")).isEqualTo("opened");
          // staging's record (maybe read by A in a transaction the crash aborted) and edge's come from different
          // partitions: which of them opens it is not fixed; prod's, committed before the crash, must be in it
          assertThat(opened.getJsonArray("clusters").getList()).as("prod's finding survived the crash")
              .hasSize(2).contains("prod");
          assertThat(opened.getJsonArray("linkedIncidents").getList()).contains("prod/prod-p1").hasSize(2);
          JsonObject updated = incidents.get(1).getJsonObject("data");
          assertThat(updated.getString("change")).isEqualTo("updated");
          assertThat(updated.getString("incident")).isEqualTo(opened.getString("incident"));
          assertThat(updated.getJsonArray("clusters").getList()).containsExactly("edge", "prod", "staging");
          assertThat(updated.getJsonArray("linkedIncidents").getList()).containsExactly("edge/edge-e1", "prod/prod-p1",
              "staging/staging-s1");
          assertThat(instanceB.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
      } finally {
        instanceA.destroyForcibly();
      }
    }
  }
}

package io.chainwatch.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chainwatch.bus.BusAddresses;
import io.chainwatch.bus.BusCodecs;
import io.chainwatch.config.NotifiersConfig;
import io.chainwatch.config.Silence;
import io.chainwatch.model.Finding;
import io.chainwatch.model.IncidentChange;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Silences from configuration and annotations, applied where findings become incidents. */
class NotifierVerticleTest {
  private static final Instant NOW = Instant.parse("2026-11-23T04:00:00Z");
  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final List<IncidentChange> changes = new CopyOnWriteArrayList<>();
  private io.vertx.core.DeploymentOptions options = new io.vertx.core.DeploymentOptions();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private void deploy(List<Silence> configured, Map<String, String> nodeAnnotations,
      Map<String, String> namespaceAnnotations) throws Exception {
    deploy(configured, nodeAnnotations, namespaceAnnotations, () -> true);
  }

  private void deploy(List<Silence> configured, Map<String, String> nodeAnnotations,
      Map<String, String> namespaceAnnotations, java.util.function.BooleanSupplier leading) throws Exception {
    deploy(configured, nodeAnnotations, namespaceAnnotations, leading, null);
  }

  private void deploy(List<Silence> configured, Map<String, String> nodeAnnotations,
      Map<String, String> namespaceAnnotations, java.util.function.BooleanSupplier leading,
      io.chainwatch.notifier.kafka.KafkaNotifier kafka) throws Exception {
    BusCodecs.registerAll(vertx.eventBus());
    vertx.eventBus().<IncidentChange>localConsumer(BusAddresses.INCIDENTS, m -> changes.add(m.body()));
    NotifiersConfig config = new NotifiersConfig(new NotifiersConfig.Incidents(Duration.ofMinutes(2),
        Duration.ofMinutes(15), Duration.ofHours(4), 10, Duration.ofMinutes(5), configured),
        kafkaConfig(),
        new NotifiersConfig.Slack("", "", "", "https://slack.com/api/"), false, dir);
    SilenceView view = new SilenceView() {
      @Override
      public Optional<String> nodeSilenceUntil(String node) {
        return Optional.ofNullable(nodeAnnotations.get(node));
      }

      @Override
      public Optional<String> namespaceSilenceUntil(String namespace) {
        return Optional.ofNullable(namespaceAnnotations.get(namespace));
      }
    };
    vertx.deployVerticle(new NotifierVerticle(config, "prod",
        io.chainwatch.notifier.incident.TestTexts.TEXTS, view, kafka, null, null,
        Clock.fixed(NOW, ZoneOffset.UTC), leading, Duration.ofSeconds(17)), options).await(10, TimeUnit.SECONDS);
  }

  private static NotifiersConfig.Kafka kafkaConfig() {
    // port 9 (discard) refuses: records stay in the spool, where the test reads them
    return new NotifiersConfig.Kafka("127.0.0.1:9", "a", "p", 1L << 20, Duration.ofMinutes(1), "PLAINTEXT", "PLAIN",
        "", "", "", "");
  }

  private void publish(String namespace, String pod, String node) {
    vertx.eventBus().publish(BusAddresses.FINDINGS, new Finding("missed-cilium-chain",
        ResourceRef.pod(namespace, pod), node, Severity.CRITICAL, PlannedAction.RESTART, "no-endpoint", "s", NOW,
        Map.of()), new DeliveryOptions().setLocalOnly(true));
  }

  private boolean paged(String pod) {
    return changes.stream().filter(c -> c.incident().subjects().contains("Pod/" + pod)).findFirst()
        .orElseThrow().pages();
  }

  @Test
  void configuredAndAnnotatedSilencesKeepIncidentsOutOfPagesUntilTheirTime() throws Exception {
    deploy(List.of(new Silence("namespace", "batch", NOW.plusSeconds(60)),
            new Silence("node", "old-node", NOW.minusSeconds(60))),
        Map.of("n-quiet", "2026-11-24T00:00:00Z", "n-garbled", "tomorrow"), Map.of("team-a", "2026-11-23T03:00:00Z"));

    publish("batch", "job-1", "n1");
    publish("shop", "web-1", "n-quiet");
    publish("shop", "web-2", "old-node");
    publish("shop", "web-3", "n-garbled");
    publish("team-a", "api-1", "n2");

    await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() >= 5);
    assertThat(paged("batch/job-1")).as("configured namespace silence").isFalse();
    assertThat(paged("shop/web-1")).as("node annotation in the future").isFalse();
    assertThat(paged("shop/web-2")).as("configured silence already over").isTrue();
    assertThat(paged("shop/web-3")).as("a malformed annotation silences nothing").isTrue();
    assertThat(paged("team-a/api-1")).as("namespace annotation in the past").isTrue();
    assertThat(changes).allMatch(c -> c.incident().silenced() != c.pages());
  }

  @Test
  void incidentsOpenedWhileFollowingAreAnnouncedWhenThisReplicaTakesOver() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean leads = new java.util.concurrent.atomic.AtomicBoolean(false);
    deploy(List.of(), Map.of(), Map.of(), leads::get);

    publish("shop", "web-1", "n1"); // the leader is gone: nobody delivers this one
    await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 1);
    leads.set(true);

    await().atMost(Duration.ofSeconds(5)).until(() -> changes.stream()
        .anyMatch(c -> c.text().startsWith("taken over by this replica")));
    IncidentChange announced = changes.stream().filter(c -> c.text().startsWith("taken over")).findFirst()
        .orElseThrow();
    assertThat(announced.kind()).isEqualTo(IncidentChange.Kind.OPENED);
    assertThat(announced.pages()).isTrue();
    assertThat(announced.incident().subjects()).contains("Pod/shop/web-1");

    publish("shop", "web-2", "n2"); // leading now: delivered at once, never announced again
    await().atMost(Duration.ofSeconds(5)).until(() -> changes.stream()
        .anyMatch(c -> c.incident().subjects().contains("Pod/shop/web-2")));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> changes.stream()
        .filter(c -> c.text().startsWith("taken over")).count() == 1);
  }

  @Test
  void auditRecordsOfTheFailoverGapAreSentByTheReplicaThatTakesOver() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean leads = new java.util.concurrent.atomic.AtomicBoolean(false);
    Path spoolDir = dir.resolve("spool");
    var kafka = new io.chainwatch.notifier.kafka.KafkaNotifier(kafkaConfig(), spoolDir, Map.of());
    kafka.start();
    deploy(List.of(), Map.of(), Map.of(), leads::get, kafka);

    publish("shop", "web-1", "n1"); // seen while following; the leader is gone, so nobody sends its audit record
    await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 1);
    assertThat(kafka.depth()).as("a follower sends nothing").isZero();
    leads.set(true);

    await().atMost(Duration.ofSeconds(10)).until(() -> kafka.depth() >= 3);
    kafka.close(Duration.ZERO);
    List<io.vertx.core.json.JsonObject> sent = new java.util.ArrayList<>();
    try (var spool = new io.chainwatch.notifier.kafka.Spool(spoolDir, 1L << 20)) {
      spool.open();
      spool.take().forEach(entry -> sent.add(new io.vertx.core.json.JsonObject(entry.value())));
    }
    assertThat(sent).filteredOn(e -> e.getString("type").equals("io.chainwatch.finding.v1")).singleElement()
        .satisfies(e -> {
          assertThat(e.getBoolean(FollowerAuditBuffer.REPLAYED)).isTrue();
          assertThat(e.getString("subject")).isEqualTo("Pod/shop/web-1");
        });
    assertThat(sent).extracting(e -> e.getString("type")).as("the incident is announced too, on both topics")
        .contains("io.chainwatch.incident.v1", "io.chainwatch.page.v1");
  }

  @Test
  void aStormsDigestReachesThePagesTopicOncePerIntervalAndItsLastContentOnStopping() throws Exception {
    Path spoolDir = dir.resolve("spool");
    var kafka = new io.chainwatch.notifier.kafka.KafkaNotifier(kafkaConfig(), spoolDir, Map.of());
    kafka.start();
    deploy(List.of(), Map.of(), Map.of(), () -> true, kafka); // storm threshold 10; the clock stands still

    for (int pod = 1; pod <= 40; pod++) {
      publish("shop", "web-" + pod, "n" + pod);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> changes.size() == 40);
    vertx.close().await(10, TimeUnit.SECONDS); // stopping sends the digest still owed to the pages topic
    kafka.close(Duration.ZERO);
    List<io.chainwatch.notifier.kafka.Spool.Entry> sent;
    try (var spool = new io.chainwatch.notifier.kafka.Spool(spoolDir, 1L << 20)) {
      spool.open();
      sent = spool.take();
    }
    java.util.function.Predicate<io.chainwatch.notifier.kafka.Spool.Entry> digest = entry ->
        "digest".equals(new io.vertx.core.json.JsonObject(entry.value()).getJsonObject("data").getString("change"));
    assertThat(sent).filteredOn(entry -> entry.topic().equals("a")).filteredOn(digest)
        .as("the audit topic gets every rewrite of the storm").hasSize(30);
    List<io.vertx.core.json.JsonObject> paged = sent.stream().filter(entry -> entry.topic().equals("p"))
        .filter(digest).map(entry -> new io.vertx.core.json.JsonObject(entry.value()).getJsonObject("data")).toList();
    assertThat(paged).as("the first digest at once, the newest when stopping").hasSize(2);
    assertThat(paged.get(0).getString("text")).contains("; 1 incident was folded");
    assertThat(paged.get(1).getString("text")).contains("; 30 incidents were folded");
    assertThat(paged.get(1).getJsonArray("digest")).hasSize(30);
    assertThat(sent).filteredOn(entry -> entry.topic().equals("p")).filteredOn(digest.negate())
        .as("the incidents before the storm page one each").hasSize(10);
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "on a worker thread of its own: {0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void incidentsChangedSinceTheLastSaveAreSavedWhenStopping(boolean asDeployed) throws Exception {
    if (asDeployed) { // as Chainwatch deploys it
      options = new io.vertx.core.DeploymentOptions().setThreadingModel(io.vertx.core.ThreadingModel.WORKER)
          .setWorkerPoolName("chainwatch-notifier").setWorkerPoolSize(1);
    }
    deploy(List.of(), Map.of(), Map.of());
    publish("shop", "web-1", "n1");
    await().atMost(Duration.ofSeconds(10)).until(() -> changes.size() == 1);

    vertx.close().await(10, TimeUnit.SECONDS); // before the first tick (5 s), which would have saved it

    assertThat(new IncidentStore(dir.resolve("incidents.json")).load())
        .extracting(io.chainwatch.notifier.incident.IncidentTracker.SavedIncident::id)
        .as("what a restart continues from").containsExactly(changes.get(0).incident().id());
  }
}

package io.chainwatch.notifier.condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chainwatch.bus.BusAddresses;
import io.chainwatch.bus.BusCodecs;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingCleared;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The verticle and the writer through the real client against the mock API server (CRUD mode). */
@Tag("slow")
@EnableKubernetesMockClient(crud = true)
class NodeConditionsMockServerTest {
  private static final Duration SETTLE = Duration.ofSeconds(30);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  KubernetesClient client;
  io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server;
  private Vertx vertx;
  private final AtomicBoolean leading = new AtomicBoolean(true);
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-23T04:00:00Z"));
  private NodeConditionsVerticle verticle;

  @BeforeEach
  void start() throws Exception {
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().withNewStatus()
        .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
        .withMessage("kubelet is posting ready status").withLastHeartbeatTime("2026-11-23T03:59:00Z")
        .withLastTransitionTime("2026-11-20T00:00:00Z").endCondition().endStatus().build()).create();
    vertx = Vertx.vertx();
    BusCodecs.registerAll(vertx.eventBus());
    Clock clock = new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now.get();
      }
    };
    verticle = new NodeConditionsVerticle(new NodeConditionWriter(client),
        () -> List.of(new NodeConditionBook.Subject("n1", true)), leading::get, () -> true, clock, SETTLE);
    vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private Optional<NodeCondition> condition(String type) {
    Node node = client.nodes().withName("n1").get();
    return node.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst();
  }

  @Test
  void aProblemIsSetAtOnceClearedToTrueAndTheKubeletsConditionsStay() {
    Finding finding = NodeConditionBookTest.nodeFinding("rp-filter-reset", "cilium-interfaces-filtered", "n1");
    vertx.eventBus().publish(BusAddresses.FINDINGS, finding, LOCAL);

    await().atMost(Duration.ofSeconds(20)).until(() -> condition("RpFilterHealthy")
        .map(c -> c.getStatus().equals("False")).orElse(false));
    NodeCondition problem = condition("RpFilterHealthy").orElseThrow();
    assertThat(problem.getReason()).isEqualTo("CiliumInterfacesFiltered");
    assertThat(problem.getMessage()).contains("rp_filter is 1 on lxc1a2b");
    assertThat(condition("Ready").orElseThrow().getMessage()).as("the kubelet's condition is untouched")
        .isEqualTo("kubelet is posting ready status");
    assertThat(condition("CiliumIpamHealthy")).as("no True before the first judgement settled").isEmpty();

    vertx.eventBus().publish(BusAddresses.FINDINGS_CLEARED, new FindingCleared(finding, now.get()), LOCAL);
    now.set(now.get().plus(SETTLE).plusSeconds(1));

    await().atMost(Duration.ofSeconds(20)).until(() -> condition("RpFilterHealthy")
        .map(c -> c.getStatus().equals("True")).orElse(false));
    assertThat(condition("CiliumIpamHealthy").orElseThrow().getStatus()).isEqualTo("True");
    assertThat(condition("CiliumIpamHealthy").orElseThrow().getReason()).isEqualTo("NoProblemFound");
    assertThat(condition("RpFilterHealthy").orElseThrow().getLastTransitionTime())
        .isEqualTo("2026-11-23T04:00:31Z");
    assertThat(condition("Ready")).isPresent();
  }

  @Test
  void aFollowerWritesNothing() {
    leading.set(false);
    vertx.eventBus().publish(BusAddresses.FINDINGS,
        NodeConditionBookTest.nodeFinding("ipam-exhausted", "no-address", "n1"), LOCAL);
    now.set(now.get().plusSeconds(60));

    // several ticks as a follower, each with the finding in hand
    long from = verticle.ticks();
    await().atMost(Duration.ofSeconds(20)).until(() -> verticle.ticks() >= from + 3);

    assertThat(condition("CiliumIpamHealthy")).isEmpty();
    assertThat(verticle.written()).isZero();
    leading.set(true);
    await().atMost(Duration.ofSeconds(20)).until(() -> condition("CiliumIpamHealthy")
        .map(c -> c.getStatus().equals("False")).orElse(false));
  }

  /** The API server's answer when a JSON Patch {@code test} fails: the Node changed since it was read. */
  private void nodeChangesUnderEveryAttemptOfOneWrite() {
    server.expect().patch().withPath("/api/v1/nodes/n1/status").andReturn(409, "{\"kind\":\"Status\","
        + "\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Conflict\",\"code\":409}").times(3);
  }

  @Test
  void aWriteThatKeptConflictingIsTriedAgainAfterASecondNotAMinute() {
    nodeChangesUnderEveryAttemptOfOneWrite();
    vertx.eventBus().publish(BusAddresses.FINDINGS,
        NodeConditionBookTest.nodeFinding("ipam-exhausted", "no-address", "n1"), LOCAL);
    await().atMost(Duration.ofSeconds(20)).until(() -> verticle.failed() == 1);

    // the clock stands still: several ticks pass and the node is not tried again before its wait is over
    long from = verticle.ticks();
    await().atMost(Duration.ofSeconds(20)).until(() -> verticle.ticks() >= from + 3);
    assertThat(condition("CiliumIpamHealthy")).isEmpty();

    now.set(now.get().plusSeconds(2));
    await().atMost(Duration.ofSeconds(20)).until(() -> condition("CiliumIpamHealthy")
        .map(c -> c.getStatus().equals("False")).orElse(false));
    assertThat(verticle.failed()).isEqualTo(1);
  }

  @Test
  void aNewProblemIsWrittenAtOnceEvenWhileAnEarlierWriteWaitsToBeTriedAgain() {
    nodeChangesUnderEveryAttemptOfOneWrite();
    vertx.eventBus().publish(BusAddresses.FINDINGS,
        NodeConditionBookTest.nodeFinding("ipam-exhausted", "no-address", "n1"), LOCAL);
    await().atMost(Duration.ofSeconds(20)).until(() -> verticle.failed() == 1);

    vertx.eventBus().publish(BusAddresses.FINDINGS,
        NodeConditionBookTest.nodeFinding("rp-filter-reset", "cilium-interfaces-filtered", "n1"), LOCAL);
    await().atMost(Duration.ofSeconds(20)).until(() -> condition("RpFilterHealthy")
        .map(c -> c.getStatus().equals("False")).orElse(false));
    assertThat(condition("CiliumIpamHealthy").orElseThrow().getStatus()).isEqualTo("False");
  }
}

package io.chainwatch.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.BusMessage;
import io.chainwatch.model.ClusterChange;
import io.chainwatch.model.Finding;
import io.chainwatch.model.FindingCleared;
import io.chainwatch.model.NamespaceSnapshot;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BusCodecsTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static List<BusMessage> oneOfEachType() {
    Finding finding =
        new Finding(
            "missed-cilium-chain",
            ResourceRef.pod("shop", "api-0"),
            "node-1",
            Severity.CRITICAL,
            PlannedAction.RESTART,
            "no-endpoint",
            "summary",
            Instant.EPOCH,
            Map.of());
    return List.of(
        finding,
        new FindingCleared(finding, Instant.EPOCH),
        new ClusterChange(
            new ResourceRef("Namespace", null, "shop"), null, new NamespaceSnapshot("shop", false)),
        new io.chainwatch.model.RemediationDecision(finding,
            new io.chainwatch.model.Decision.Evict(io.chainwatch.model.RemediationRule.ELIGIBLE, "why"), false,
            Instant.EPOCH),
        new io.chainwatch.model.RemediationOutcome(finding, io.chainwatch.model.RemediationOutcome.Result.EVICTED,
            "evicted", Map.of(), Instant.EPOCH),
        new io.chainwatch.model.BreakerChange(true, "storm", Map.of(), Instant.EPOCH, Instant.EPOCH),
        new io.chainwatch.model.IncidentChange(new io.chainwatch.model.Incident("i-1", "k", "d", "c",
            Severity.CRITICAL, io.chainwatch.model.Incident.State.OPEN, "t", null, List.of(), 0, "s", List.of(), "a",
            null, false, Instant.EPOCH, Instant.EPOCH, null), io.chainwatch.model.IncidentChange.Kind.OPENED, "t",
            true, false, List.of(), Instant.EPOCH),
        new io.chainwatch.model.PersonAction("U1:chainwatch.acknowledge:1.1",
            io.chainwatch.model.PersonAction.Kind.ACKNOWLEDGE, "i-1", null, 0, "U1", "alice", true, Instant.EPOCH),
        new io.chainwatch.model.ApprovalChange("a-1", finding, io.chainwatch.model.ApprovalChange.State.ASKED,
            "evict shop/api-0", null, "asked", Instant.EPOCH, Instant.EPOCH));
  }

  @Test
  void everyBusMessageTypeHasASampleInThisTest() {
    assertThat(oneOfEachType())
        .extracting(Object::getClass)
        .containsExactlyInAnyOrderElementsOf(BusCodecs.messageTypes());
  }

  @Test
  void everyBusMessageTravelsByReferenceThroughItsLocalCodec() throws Exception {
    BusCodecs.registerAll(vertx.eventBus());
    vertx.eventBus().consumer("test.echo", message -> message.reply(message.body()));

    for (BusMessage sent : oneOfEachType()) {
      Object received =
          vertx
              .eventBus()
              .request("test.echo", sent, new DeliveryOptions().setLocalOnly(true))
              .await(5, TimeUnit.SECONDS)
              .body();

      assertThat(received).as(sent.getClass().getSimpleName()).isSameAs(sent);
    }
  }

  @Test
  void sendingWithoutRegisteredCodecsFails() {
    Finding finding = (Finding) oneOfEachType().get(0);

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> vertx.eventBus().publish("test.none", finding))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

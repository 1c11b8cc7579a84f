package io.chainwatch.notifier.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chainwatch.model.Decision;
import io.chainwatch.model.Finding;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.RemediationDecision;
import io.chainwatch.model.RemediationOutcome;
import io.chainwatch.model.RemediationRule;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class KubernetesEventNotifierMockServerTest {
  private static final Instant T0 = Instant.parse("2026-11-23T04:00:00Z");
  KubernetesClient client;
  io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server;

  private static Finding finding(ResourceRef ref) {
    return new Finding("missed-cilium-chain", ref, "n1", Severity.CRITICAL, PlannedAction.RESTART, "no-endpoint",
        "web-1 runs without Cilium", T0, Map.of());
  }

  private List<Event> events(String namespace) {
    return client.events().v1().events().inNamespace(namespace).list().getItems();
  }

  @Test
  void repeatsOfOneReasonOnOneObjectAreOneEventWithASeries() {
    try (KubernetesEventNotifier events = new KubernetesEventNotifier(client, "chainwatch-0")) {
      Finding finding = finding(ResourceRef.pod("shop", "web-1"));

      events.deliver(finding);
      events.deliver(finding);
      events.deliver(finding);

      await().atMost(Duration.ofSeconds(10)).until(() -> events.written() == 3);
    }
    List<Event> written = events("shop");
    assertThat(written).hasSize(1);
    Event event = written.get(0);
    assertThat(event.getReason()).isEqualTo("MissedCiliumChain");
    assertThat(event.getType()).isEqualTo("Warning");
    assertThat(event.getReportingController()).isEqualTo("chainwatch.io/chainwatch");
    assertThat(event.getRegarding().getKind()).isEqualTo("Pod");
    assertThat(event.getRegarding().getName()).isEqualTo("web-1");
    assertThat(event.getSeries().getCount()).isEqualTo(3);
  }

  @Test
  void decisionsAndOutcomesSayWhatChainwatchDidAndNodeEventsLandInDefault() {
    Finding finding = finding(ResourceRef.pod("shop", "web-1"));
    try (KubernetesEventNotifier events = new KubernetesEventNotifier(client, "chainwatch-0")) {
      events.deliver(new RemediationDecision(finding, new Decision.Page(RemediationRule.BUDGET_EXHAUSTED,
          "PodDisruptionBudget web-pdb refused"), false, T0));
      events.deliver(new RemediationOutcome(finding, RemediationOutcome.Result.EVICTED, "evicted", Map.of(), T0));
      events.deliver(new RemediationOutcome(finding, RemediationOutcome.Result.NOT_LEADER, "no", Map.of(), T0));
      events.deliver(finding(ResourceRef.node("n1")));

      await().atMost(Duration.ofSeconds(10)).until(() -> events.written() == 3);
    }
    assertThat(events("shop")).extracting(Event::getReason)
        .containsExactlyInAnyOrder("RemediationBlocked", "PodRestarted");
    assertThat(events("default")).extracting(e -> e.getRegarding().getKind()).containsExactly("Node");
  }

  @Test
  void aStormIsCutToTheRateLimitAndCountedAndRepeatsAreUpdatedWithoutReadingFirst() throws Exception {
    try (KubernetesEventNotifier events = new KubernetesEventNotifier(client, "chainwatch-0", 2)) {
      for (int i = 0; i < 200; i++) {
        events.deliver(finding(ResourceRef.pod("shop", "web-" + i)));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> events.written() + events.failed() >= 20);
      assertThat(events.rateLimited()).as("a burst of ten seconds' worth, then the limit").isBetween(175L, 180L);
    }
    try (KubernetesEventNotifier events = new KubernetesEventNotifier(client, "chainwatch-0", 1_000)) {
      events.deliver(finding(ResourceRef.pod("shop", "web-0")));
      await().atMost(Duration.ofSeconds(10)).until(() -> events.written() == 1);
      int before = server.getRequestCount();
      events.deliver(finding(ResourceRef.pod("shop", "web-0")));
      await().atMost(Duration.ofSeconds(10)).until(() -> events.written() == 2);
      assertThat(server.getRequestCount() - before).as("an Event it wrote is updated in one request").isEqualTo(1);

      client.events().v1().events().inNamespace("shop").delete(); // someone cleans up Events
      events.deliver(finding(ResourceRef.pod("shop", "web-0")));
      events.deliver(finding(ResourceRef.pod("shop", "web-0")));
      await().atMost(Duration.ofSeconds(10)).until(() -> events.written() + events.failed() == 4);
      assertThat(events.failed()).as("the stale Event's update failed once").isEqualTo(1);
      assertThat(events("shop")).singleElement().satisfies(e -> assertThat(e.getRegarding().getName())
          .isEqualTo("web-0"));
      assertThat(events.rateLimited()).isZero();
    }
  }

  @Test
  void reasonsAreUpperCamelCase() {
    assertThat(KubernetesEventNotifier.reasonOf("missed-cilium-chain")).isEqualTo("MissedCiliumChain");
    assertThat(KubernetesEventNotifier.reasonOf("rp-filter-reset")).isEqualTo("RpFilterReset");
  }
}

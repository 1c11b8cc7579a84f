package io.chainwatch.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chainwatch.bus.BusAddresses;
import io.chainwatch.bus.BusCodecs;
import io.chainwatch.config.NotifiersConfig;
import io.chainwatch.config.RoutingRule;
import io.chainwatch.model.ApprovalChange;
import io.chainwatch.model.Finding;
import io.chainwatch.model.PersonAction;
import io.chainwatch.model.PlannedAction;
import io.chainwatch.model.ResourceRef;
import io.chainwatch.model.Severity;
import io.chainwatch.notifier.route.IncidentRouter;
import io.chainwatch.notifier.route.Route;
import io.chainwatch.notifier.route.RoutingFacts;
import io.chainwatch.notifier.slack.SlackNotifier;
import io.chainwatch.testkit.LocalSlackServer;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notifier with the real Slack SDK against testkit's Slack: incidents routed to their team's channel, buttons on
 * the root message, and what people did shown on it.
 */
@Tag("slow")
class SlackButtonsTest {
  private static final Instant NOW = Instant.parse("2026-11-30T04:00:00Z");
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private LocalSlackServer slack;
  private SlackNotifier notifier;

  @BeforeEach
  void start() throws Exception {
    slack = LocalSlackServer.start();
    Path token = Files.writeString(dir.resolve("token"), "xoxb-test");
    NotifiersConfig config = new NotifiersConfig(new NotifiersConfig.Incidents(Duration.ofMinutes(2),
        Duration.ofMinutes(15), Duration.ofHours(4), 10, Duration.ofMinutes(5), List.of()),
        new NotifiersConfig.Kafka("", "a", "p", 1L << 20, Duration.ofMinutes(1), "PLAINTEXT", "PLAIN", "", "", "", ""),
        new NotifiersConfig.Slack(token.toString(), "#platform", "", slack.apiUrl()), false, dir);
    notifier = new SlackNotifier(config.slack(), dir.resolve("threads.json"),
        new SlackNotifier.Timing(Duration.ZERO, Duration.ofMillis(200), Duration.ofSeconds(2)),
        io.chainwatch.notifier.incident.TestTexts.TEXTS);
    notifier.start();
    RoutingFacts facts = new RoutingFacts() {
      @Override
      public Map<String, String> namespaceLabels(String namespace) {
        return namespace.equals("payments") ? Map.of("team", "payments") : Map.of();
      }

      @Override
      public Optional<String> nodePool(String node) {
        return Optional.empty();
      }
    };
    IncidentRouter router = new IncidentRouter(RoutingRule.parse(
        "[{name: payments, match: {namespaceLabels: {team: payments}}, slackChannel: '#payments'}]"),
        new Route(Route.DEFAULT, "#platform", null, false, List.of()));
    BusCodecs.registerAll(vertx.eventBus());
    NotifierVerticle verticle = new NotifierVerticle(config, "prod", io.chainwatch.notifier.incident.TestTexts.TEXTS,
        SilenceView.none(), null, notifier, null, List.of(), router, facts, Clock.fixed(NOW, ZoneOffset.UTC),
        () -> true, Duration.ZERO);
    verticle.withSlackButtons();
    vertx.deployVerticle(verticle).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    notifier.close(Duration.ZERO);
    vertx.close().await(10, TimeUnit.SECONDS);
    slack.close();
  }

  private static Finding finding(String namespace, String pod) {
    return new Finding("missed-cilium-chain", ResourceRef.pod(namespace, pod), "n1", Severity.CRITICAL,
        PlannedAction.RESTART, "no-endpoint", pod + " runs without Cilium", NOW, Map.of("podUid", pod + "-uid"));
  }

  private static List<String> actionIds(LocalSlackServer.Message message) {
    return message.blocks.stream().map(JsonObject.class::cast).filter(b -> "actions".equals(b.getString("type")))
        .flatMap(b -> b.getJsonArray("elements").stream().map(JsonObject.class::cast))
        .map(e -> e.getString("action_id")).toList();
  }

  private static String text(LocalSlackServer.Message message) {
    return message.blocks.encode();
  }

  @Test
  void routedRootMessagesCarryButtonsAndSayWhoDidWhat() {
    Finding payments = finding("payments", "api-0");
    vertx.eventBus().publish(BusAddresses.FINDINGS, payments, LOCAL);
    vertx.eventBus().publish(BusAddresses.FINDINGS, finding("search", "indexer-0"), LOCAL);

    await().atMost(Duration.ofSeconds(10)).until(() -> slack.roots().size() == 2);
    LocalSlackServer.Message paymentsRoot = slack.roots().stream().filter(m -> text(m).contains("api-0")).findFirst()
        .orElseThrow();
    LocalSlackServer.Message searchRoot = slack.roots().stream().filter(m -> text(m).contains("indexer-0"))
        .findFirst().orElseThrow();
    assertThat(paymentsRoot.channel).isEqualTo(LocalSlackServer.channelId("#payments"));
    assertThat(searchRoot.channel).as("must not route: no team label").isEqualTo(LocalSlackServer.channelId("#platform"));
    assertThat(actionIds(paymentsRoot)).containsExactly("chainwatch.acknowledge", "chainwatch.silence.1h",
        "chainwatch.silence.4h", "chainwatch.silence.24h");
    String incident = text(paymentsRoot).replaceAll("(?s).*incident `([^`]+)`.*", "$1");

    vertx.eventBus().publish(BusAddresses.PERSON_ACTIONS, new PersonAction("c1", PersonAction.Kind.ACKNOWLEDGE,
        incident, null, 0, "U0ALICE", "alice", true, NOW), LOCAL);
    vertx.eventBus().publish(BusAddresses.REMEDIATION_APPROVALS, new ApprovalChange("a-7", payments,
        ApprovalChange.State.ASKED, "evict Pod/payments/api-0: its ReplicaSet recreates it", null, "asked",
        NOW.plusSeconds(1800), NOW), LOCAL);

    await().atMost(Duration.ofSeconds(10)).until(() -> actionIds(paymentsRoot).contains("chainwatch.approve"));
    assertThat(text(paymentsRoot)).contains("Acknowledged by <@U0ALICE>", "Approval needed",
        "a-7|" + incident);
    assertThat(actionIds(paymentsRoot)).as("acknowledged: no Acknowledge button").containsExactly(
        "chainwatch.approve", "chainwatch.reject", "chainwatch.silence.1h", "chainwatch.silence.4h",
        "chainwatch.silence.24h");
    // the thread reply follows the root's edit
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(slack.replies(paymentsRoot.ts))
        .extracting(m -> m.text).anyMatch(t -> t.contains("acknowledged by <@U0ALICE>"))
        .anyMatch(t -> t.contains("approval needed: evict Pod/payments/api-0")));

    vertx.eventBus().publish(BusAddresses.REMEDIATION_APPROVALS, new ApprovalChange("a-7", payments,
        ApprovalChange.State.APPROVED, "evict Pod/payments/api-0: its ReplicaSet recreates it", "<@U0BOB>",
        "approved by <@U0BOB>", NOW.plusSeconds(1800), NOW), LOCAL);
    await().atMost(Duration.ofSeconds(10)).until(() -> !actionIds(paymentsRoot).contains("chainwatch.approve"));
    assertThat(text(paymentsRoot)).contains("approved by <@U0BOB>");
  }

  @Test
  void aRefusedClickChangesNothingOnTheMessage() {
    vertx.eventBus().publish(BusAddresses.FINDINGS, finding("payments", "api-0"), LOCAL);
    await().atMost(Duration.ofSeconds(10)).until(() -> slack.roots().size() == 1);
    LocalSlackServer.Message root = slack.roots().get(0);
    String incident = text(root).replaceAll("(?s).*incident `([^`]+)`.*", "$1");

    vertx.eventBus().publish(BusAddresses.PERSON_ACTIONS, new PersonAction("c1", PersonAction.Kind.SILENCE,
        incident, null, 24, "U0MALLORY", "mallory", false, NOW), LOCAL);
    vertx.eventBus().publish(BusAddresses.PERSON_ACTIONS, new PersonAction("c2", PersonAction.Kind.SILENCE,
        incident, null, 4, "U0ALICE", "alice", true, NOW), LOCAL);

    await().atMost(Duration.ofSeconds(10)).until(() -> text(root).contains("Silenced by"));
    assertThat(text(root)).contains("Silenced by <@U0ALICE> until " + NOW.plus(Duration.ofHours(4)))
        .doesNotContain("U0MALLORY");
  }
}

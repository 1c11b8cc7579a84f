package io.chainwatch.notifier.pagerduty;

import static io.chainwatch.notifier.alert.Incidents.change;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chainwatch.model.Incident;
import io.chainwatch.model.IncidentChange.Kind;
import io.chainwatch.model.Severity;
import io.chainwatch.notifier.alert.AlertOutbox;
import io.chainwatch.testkit.LocalPagerDutyServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notifier against a local server that speaks PagerDuty's Events API v2 (testkit). */
class PagerDutyNotifierTest {
  private static final String ROUTING_KEY = "R0123456789abcdef0123456789abcde";
  /** Backoff of milliseconds: "minutes" of outage are many failed attempts, not minutes of test. */
  private static final AlertOutbox.Timing FAST = new AlertOutbox.Timing(Duration.ofMillis(20),
      Duration.ofMillis(200), Duration.ofSeconds(5));
  @TempDir Path dir;
  private LocalPagerDutyServer pagerDuty;
  private Path keyFile;

  @BeforeEach
  void start() throws Exception {
    pagerDuty = LocalPagerDutyServer.start();
    keyFile = Files.writeString(dir.resolve("routing-key"), ROUTING_KEY + "\n");
  }

  @AfterEach
  void stop() throws Exception {
    pagerDuty.close();
  }

  private PagerDutyNotifier notifier() throws Exception {
    PagerDutyNotifier notifier = new PagerDutyNotifier(URI.create(pagerDuty.enqueueUrl()), keyFile,
        dir.resolve("state/pagerduty.json"), FAST);
    notifier.start();
    return notifier;
  }

  @Test
  void oneAlertPerIncidentTriggeredOnEscalationUpdatedAndResolved() throws Exception {
    try (PagerDutyNotifier notifier = notifier()) {
      notifier.deliver(change("inc-1", Severity.WARNING, Incident.State.OPEN, Kind.OPENED, false));
      notifier.deliver(change("inc-1", Severity.CRITICAL, Incident.State.ESCALATED, Kind.ESCALATED, true));
      notifier.deliver(change("inc-1", Severity.CRITICAL, Incident.State.ESCALATED, Kind.REPLY, false));
      notifier.deliver(change("inc-1", Severity.CRITICAL, Incident.State.ESCALATED, Kind.UPDATED, false));
      notifier.deliver(change("inc-1", Severity.CRITICAL, Incident.State.RESOLVED, Kind.RESOLVED, false));
      notifier.deliver(change("inc-2", Severity.WARNING, Incident.State.OPEN, Kind.OPENED, false));
      notifier.deliver(change("inc-2", Severity.WARNING, Incident.State.RESOLVED, Kind.RESOLVED, false));

      await().atMost(Duration.ofSeconds(10)).until(() -> notifier.outbox().pending() == 0);
    }
    List<LocalPagerDutyServer.Event> events = pagerDuty.events();
    assertThat(events).extracting(LocalPagerDutyServer.Event::action)
        .as("not opened-and-quiet, not replies: escalation, update, resolve").containsExactly("trigger", "trigger",
            "resolve");
    assertThat(events).extracting(LocalPagerDutyServer.Event::dedupKey).containsOnly("inc-1");
    assertThat(events.get(0).routingKey()).isEqualTo(ROUTING_KEY);
    assertThat(events.get(0).payload().getString("severity")).isEqualTo("critical");
    assertThat(events.get(0).payload().getString("summary"))
        .isEqualTo("[prod] rp_filter drops pod traffic on node n1: lxc1a2b has rp_filter 1");
    assertThat(events.get(0).payload().getJsonObject("custom_details").getString("needsPerson"))
        .isEqualTo("the repair did not take");
    assertThat(pagerDuty.alertState("inc-1")).isEqualTo("resolved");
    assertThat(pagerDuty.alertState("inc-2")).as("never paged: no alert").isNull();
  }

  @Test
  void anOutageOfManyAttemptsLosesNothingAndKeepsTheOrder() throws Exception {
    pagerDuty.down(true);
    try (PagerDutyNotifier notifier = notifier()) {
      notifier.deliver(change("inc-1", Severity.CRITICAL, Incident.State.OPEN, Kind.OPENED, true));
      notifier.deliver(change("inc-1", Severity.CRITICAL, Incident.State.RESOLVED, Kind.RESOLVED, false));
      await().atMost(Duration.ofSeconds(10)).until(() -> pagerDuty.refused() >= 20);
      assertThat(pagerDuty.events()).isEmpty();

      pagerDuty.down(false);

      await().atMost(Duration.ofSeconds(10)).until(() -> notifier.outbox().pending() == 0);
      assertThat(notifier.outbox().retries()).isGreaterThanOrEqualTo(20);
      assertThat(notifier.outbox().dropped()).isZero();
    }
    assertThat(pagerDuty.events()).extracting(LocalPagerDutyServer.Event::action).containsExactly("trigger",
        "resolve");
  }

  @Test
  void aRestartDuringAnOutageSendsWhatThePreviousRunLeftAndTheRoutingKeyIsNeverSaved() throws Exception {
    pagerDuty.down(true);
    try (PagerDutyNotifier first = notifier()) {
      first.deliver(change("inc-1", Severity.CRITICAL, Incident.State.OPEN, Kind.OPENED, true));
      await().atMost(Duration.ofSeconds(10)).until(() -> pagerDuty.refused() >= 1);
      // queued while the sender backs off: saved without waiting for the next attempt
      first.deliver(change("inc-1", Severity.CRITICAL, Incident.State.ESCALATED, Kind.ESCALATED, true));
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(dir.resolve("state/pagerduty.json"))
          .contains("escalated"));
    }
    assertThat(Files.readString(dir.resolve("state/pagerduty.json"))).contains("inc-1").doesNotContain(ROUTING_KEY);
    pagerDuty.down(false);

    try (PagerDutyNotifier second = notifier()) {
      await().atMost(Duration.ofSeconds(10))
          .until(() -> second.outbox().pending() == 0 && pagerDuty.events().size() == 2);
      second.deliver(change("inc-1", Severity.CRITICAL, Incident.State.RESOLVED, Kind.RESOLVED, false));
      await().atMost(Duration.ofSeconds(10)).until(() -> pagerDuty.events().size() == 3);
    }
    assertThat(pagerDuty.alertState("inc-1")).as("the second run knew the alert was open").isEqualTo("resolved");
  }

  @Test
  void rateLimitsAreWaitedOutAWrongKeyMakesEventsWaitAndARefusedEventIsDropped() throws Exception {
    pagerDuty.failNext(429, 500);
    try (PagerDutyNotifier notifier = notifier()) {
      notifier.deliver(change("inc-1", Severity.CRITICAL, Incident.State.OPEN, Kind.OPENED, true));
      await().atMost(Duration.ofSeconds(10)).until(() -> notifier.outbox().sent() == 1);
      assertThat(notifier.outbox().retries()).isEqualTo(2);

      Files.writeString(keyFile, "too-short");
      notifier.deliver(change("inc-2", Severity.CRITICAL, Incident.State.OPEN, Kind.OPENED, true));
      await().atMost(Duration.ofSeconds(10)).until(() -> notifier.outbox().retries() >= 3);
      assertThat(notifier.outbox().refused()).as("a wrong routing key is a person's to fix: the page waits").isZero();
      Files.writeString(keyFile, ROUTING_KEY);
      await().atMost(Duration.ofSeconds(10)).until(() -> notifier.outbox().sent() == 2);

      pagerDuty.failNext(400);
      notifier.deliver(change("inc-3", Severity.CRITICAL, Incident.State.OPEN, Kind.OPENED, true));
      notifier.deliver(change("inc-4", Severity.CRITICAL, Incident.State.OPEN, Kind.OPENED, true));
      await().atMost(Duration.ofSeconds(10)).until(() -> notifier.outbox().refused() == 1 && notifier.outbox().sent() == 3);
    }
    assertThat(pagerDuty.events()).extracting(LocalPagerDutyServer.Event::dedupKey)
        .containsExactly("inc-1", "inc-2", "inc-4");
  }


  @Test
  void aRoutedIncidentUsesItsRulesKeyUntilItsAlertIsResolvedAndAnIncidentRoutedElsewhereSendsNothing()
      throws Exception {
    String paymentsKey = "P0123456789abcdef0123456789abcde";
    Path paymentsFile = Files.writeString(dir.resolve("payments-key"), paymentsKey);
    var payments = new io.chainwatch.notifier.route.Route("payments", null, paymentsFile.toString(), false,
        List.of());
    var elsewhere = io.chainwatch.notifier.route.Route.nowhere("sandbox-quiet");
    var defaults = new io.chainwatch.notifier.route.Route("default", null, "", false, List.of());
    try (PagerDutyNotifier notifier = notifier()) {
      notifier.deliver(change("inc-1", Severity.CRITICAL, Incident.State.ESCALATED, Kind.ESCALATED, true), payments);
      // the namespace lost its team label meanwhile: the open alert still gets its updates and resolve on its key
      notifier.deliver(change("inc-1", Severity.CRITICAL, Incident.State.ESCALATED, Kind.UPDATED, false), defaults);
      notifier.deliver(change("inc-1", Severity.CRITICAL, Incident.State.RESOLVED, Kind.RESOLVED, false), elsewhere);
      notifier.deliver(change("inc-2", Severity.CRITICAL, Incident.State.ESCALATED, Kind.ESCALATED, true), elsewhere);
      notifier.deliver(change("inc-3", Severity.CRITICAL, Incident.State.ESCALATED, Kind.ESCALATED, true), defaults);
      await().atMost(Duration.ofSeconds(10)).until(() -> notifier.outbox().pending() == 0);
    }
    assertThat(pagerDuty.events()).extracting(e -> e.dedupKey() + " " + e.action() + " " + e.routingKey())
        .containsExactly("inc-1 trigger " + paymentsKey, "inc-1 trigger " + paymentsKey,
            "inc-1 resolve " + paymentsKey, "inc-3 trigger " + ROUTING_KEY);
    assertThat(Files.readString(dir.resolve("state/pagerduty.json"))).as("paths are kept, never keys")
        .doesNotContain(paymentsKey).doesNotContain(ROUTING_KEY);
  }

  @Test
  void anAlertsRoutingKeySurvivesARestart() throws Exception {
    String paymentsKey = "P0123456789abcdef0123456789abcde";
    Path paymentsFile = Files.writeString(dir.resolve("payments-key"), paymentsKey);
    var payments = new io.chainwatch.notifier.route.Route("payments", null, paymentsFile.toString(), false,
        List.of());
    try (PagerDutyNotifier notifier = notifier()) {
      notifier.deliver(change("inc-1", Severity.CRITICAL, Incident.State.ESCALATED, Kind.ESCALATED, true), payments);
      await().atMost(Duration.ofSeconds(10)).until(() -> notifier.outbox().pending() == 0);
    }
    try (PagerDutyNotifier restarted = notifier()) {
      restarted.deliver(change("inc-1", Severity.CRITICAL, Incident.State.RESOLVED, Kind.RESOLVED, false),
          io.chainwatch.notifier.route.Route.nowhere("default"));
      await().atMost(Duration.ofSeconds(10)).until(() -> restarted.outbox().pending() == 0);
    }
    assertThat(pagerDuty.events()).extracting(e -> e.action() + " " + e.routingKey())
        .containsExactly("trigger " + paymentsKey, "resolve " + paymentsKey);
  }
}

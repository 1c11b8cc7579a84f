package io.chainwatch.notifier.opsgenie;

import static io.chainwatch.notifier.alert.Incidents.change;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chainwatch.model.Incident;
import io.chainwatch.model.IncidentChange.Kind;
import io.chainwatch.model.Severity;
import io.chainwatch.notifier.alert.AlertOutbox;
import io.chainwatch.testkit.LocalOpsgenieServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notifier against a local server that speaks Opsgenie's Alert API (testkit). */
class OpsgenieNotifierTest {
  private static final String KEY = "eb243592-faa2-4ba2-a551q-1afdf565c889";
  private static final AlertOutbox.Timing FAST = new AlertOutbox.Timing(Duration.ofMillis(20), Duration.ofMillis(200),
      Duration.ofSeconds(5));
  @TempDir Path dir;
  private LocalOpsgenieServer opsgenie;
  private Path keyFile;

  @BeforeEach
  void start() throws Exception {
    opsgenie = LocalOpsgenieServer.start(KEY);
    keyFile = Files.writeString(dir.resolve("api-key"), KEY);
  }

  @AfterEach
  void stop() throws Exception {
    opsgenie.close();
  }

  private OpsgenieNotifier notifier() throws Exception {
    OpsgenieNotifier notifier = new OpsgenieNotifier(URI.create(opsgenie.apiUrl()), keyFile, "network-oncall",
        dir.resolve("opsgenie.json"), FAST);
    notifier.start();
    return notifier;
  }

  @Test
  void oneAlertPerIncidentCreatedForTheTeamNotedUpdatedAndClosed() throws Exception {
    try (OpsgenieNotifier notifier = notifier()) {
      notifier.deliver(change("inc-1", Severity.WARNING, Incident.State.OPEN, Kind.OPENED, false));
      notifier.deliver(change("inc-1", Severity.CRITICAL, Incident.State.ESCALATED, Kind.ESCALATED, true));
      notifier.deliver(change("inc-1", Severity.CRITICAL, Incident.State.ESCALATED, Kind.REPLY, false));
      notifier.deliver(change("inc-1", Severity.CRITICAL, Incident.State.ESCALATED, Kind.UPDATED, false));
      notifier.deliver(change("inc-1", Severity.CRITICAL, Incident.State.RESOLVED, Kind.RESOLVED, false));
      notifier.deliver(change("inc-2", Severity.WARNING, Incident.State.OPEN, Kind.OPENED, false));
      await().atMost(Duration.ofSeconds(10)).until(() -> notifier.outbox().pending() == 0);
      assertThat(notifier.outbox().refused()).isZero();
    }
    LocalOpsgenieServer.Alert alert = opsgenie.alert("inc-1");
    assertThat(alert.message).isEqualTo("[prod] rp_filter drops pod traffic on node n1");
    assertThat(alert.priority).isEqualTo("P1");
    assertThat(alert.responders.encode()).isEqualTo("[{\"type\":\"team\",\"name\":\"network-oncall\"}]");
    assertThat(alert.description).contains("lxc1a2b has rp_filter 1", "Needs a person: the repair did not take");
    assertThat(alert.notes).containsExactly("reply: reply", "updated: updated", "resolved: resolved");
    assertThat(alert.open).isFalse();
    assertThat(alert.count).as("created once").isEqualTo(1);
    assertThat(opsgenie.alert("inc-2")).as("never paged: no alert").isNull();
  }

  @Test
  void anOutageLosesNothingAndAWrongKeyMakesCallsWaitUntilItIsFixed() throws Exception {
    opsgenie.down(true);
    try (OpsgenieNotifier notifier = notifier()) {
      notifier.deliver(change("inc-1", Severity.CRITICAL, Incident.State.OPEN, Kind.OPENED, true));
      await().atMost(Duration.ofSeconds(10)).until(() -> opsgenie.refused() >= 10);
      Files.writeString(keyFile, "not-the-key");
      opsgenie.down(false);
      await().atMost(Duration.ofSeconds(10)).until(() -> notifier.outbox().retries() >= 12);
      assertThat(opsgenie.alert("inc-1")).isNull();
      assertThat(notifier.outbox().refused()).isZero();

      Files.writeString(keyFile, KEY);
      await().atMost(Duration.ofSeconds(10)).until(() -> notifier.outbox().pending() == 0);
    }
    assertThat(opsgenie.alert("inc-1").open).isTrue();
  }

  @Test
  void aRoutedAlertGoesToTheRulesRespondersAndAnIncidentRoutedElsewhereCreatesNone() throws Exception {
    var route = new io.chainwatch.notifier.route.Route("payments", null, null, true,
        java.util.List.of("team:payments", "user:alice@example.com", "escalation:payments-esc"));
    try (OpsgenieNotifier notifier = notifier()) {
      notifier.deliver(change("inc-1", Severity.CRITICAL, Incident.State.ESCALATED, Kind.ESCALATED, true), route);
      notifier.deliver(change("inc-2", Severity.CRITICAL, Incident.State.ESCALATED, Kind.ESCALATED, true),
          io.chainwatch.notifier.route.Route.nowhere("quiet"));
      await().atMost(Duration.ofSeconds(10)).until(() -> notifier.outbox().pending() == 0);
    }
    assertThat(opsgenie.alert("inc-1").responders.encode()).isEqualTo("[{\"type\":\"team\",\"name\":\"payments\"},"
        + "{\"type\":\"user\",\"username\":\"alice@example.com\"},{\"type\":\"escalation\",\"name\":\"payments-esc\"}]");
    assertThat(opsgenie.alert("inc-2")).as("must not route: the rule is quiet").isNull();
  }
}

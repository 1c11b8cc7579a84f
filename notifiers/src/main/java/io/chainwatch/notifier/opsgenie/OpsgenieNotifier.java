package io.chainwatch.notifier.opsgenie;

import io.chainwatch.model.IncidentChange;
import io.chainwatch.notifier.alert.AlertCall;
import io.chainwatch.notifier.alert.AlertOutbox;
import io.chainwatch.notifier.route.Route;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Sends incidents to Opsgenie's Alert API ({@link OpsgenieCalls}) through an {@link AlertOutbox}: saved on every
 * change, sent in order, 429 and 5xx retried, other 4xx dropped and counted. The API key goes into the
 * {@code Authorization: GenieKey} header when a call is sent, never into the outbox.
 */
public final class OpsgenieNotifier implements AutoCloseable {
  private final AlertOutbox outbox;
  private final String team;

  /**
   * @param apiUrl {@code https://api.opsgenie.com} (or the EU one)
   * @param team the responder team for new alerts, empty for none
   */
  public OpsgenieNotifier(URI apiUrl, Path apiKeyFile, String team, Path stateFile, AlertOutbox.Timing timing) {
    this.team = Objects.requireNonNull(team, "team");
    this.outbox = new AlertOutbox("Opsgenie", apiUrl, apiKeyFile, stateFile, timing,
        (request, body, key) -> request.header("Authorization", "GenieKey " + key));
  }

  public void start() throws IOException {
    outbox.start();
  }

  /** Queues the calls {@code change} makes to the default team, if any. */
  public void deliver(IncidentChange change) {
    deliver(change, new Route(Route.DEFAULT, null, null, true,
        team.isEmpty() ? List.of() : List.of("team:" + team)));
  }

  /**
   * Queues the calls {@code change} makes, if any. Never blocks on the network. An open alert is followed to its end
   * (same alias) wherever routing would send a new one now; a new alert is created only where the route names
   * Opsgenie, for the route's responders.
   */
  public void deliver(IncidentChange change, Route route) {
    String id = change.incident().id();
    boolean alerted = outbox.alerted(id);
    if (!alerted && !route.opsgenie()) {
      return;
    }
    List<AlertCall> calls = OpsgenieCalls.callsFor(change, alerted, route.opsgenieResponders());
    boolean closes = change.kind() == IncidentChange.Kind.RESOLVED;
    outbox.enqueue(id, calls, !alerted && !calls.isEmpty(), closes);
  }

  /** Its outbox: what is waiting, sent, retried, dropped, refused. */
  public AlertOutbox outbox() {
    return outbox;
  }

  @Override
  public void close() {
    outbox.close();
  }
}

package io.chainwatch.notifier.opsgenie;

import io.chainwatch.model.IncidentChange;
import io.chainwatch.notifier.alert.AlertCall;
import io.chainwatch.notifier.alert.AlertOutbox;
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

  /** Queues the calls {@code change} makes, if any. Never blocks on the network. */
  public void deliver(IncidentChange change) {
    String id = change.incident().id();
    boolean alerted = outbox.alerted(id);
    List<AlertCall> calls = OpsgenieCalls.callsFor(change, alerted, team);
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

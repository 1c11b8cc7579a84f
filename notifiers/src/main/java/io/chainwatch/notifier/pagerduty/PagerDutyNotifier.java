package io.chainwatch.notifier.pagerduty;

import io.chainwatch.model.IncidentChange;
import io.chainwatch.notifier.alert.AlertCall;
import io.chainwatch.notifier.alert.AlertOutbox;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Sends incidents to PagerDuty's Events API v2 ({@link PagerDutyEvents}), one alert per incident ({@code dedup_key}
 * = incident id), through an {@link AlertOutbox}: saved on every change, sent in order, 429 and 5xx retried, 400
 * dropped and counted. The routing key goes into each event's body when it is sent, never into the outbox.
 */
public final class PagerDutyNotifier implements AutoCloseable {
  private final AlertOutbox outbox;

  /**
   * @param enqueueUrl {@code https://events.pagerduty.com/v2/enqueue}
   * @param stateFile where the outbox and the open alerts are saved
   */
  public PagerDutyNotifier(URI enqueueUrl, Path routingKeyFile, Path stateFile, AlertOutbox.Timing timing) {
    this.outbox = new AlertOutbox("PagerDuty", enqueueUrl, routingKeyFile, stateFile, timing,
        (request, body, key) -> body.put("routing_key", key));
  }

  public void start() throws IOException {
    outbox.start();
  }

  /** Queues what {@code change} sends to PagerDuty, if anything. Never blocks on the network. */
  public void deliver(IncidentChange change) {
    String id = change.incident().id();
    PagerDutyEvents.eventFor(change, outbox.alerted(id)).ifPresent(event -> {
      boolean resolve = event.getString("event_action").equals("resolve");
      outbox.enqueue(id, List.of(new AlertCall(id, "POST", "", event)), !resolve, resolve);
    });
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

package io.chainwatch.notifier.pagerduty;

import io.chainwatch.model.IncidentChange;
import io.chainwatch.notifier.alert.AlertCall;
import io.chainwatch.notifier.alert.AlertOutbox;
import io.chainwatch.notifier.route.Route;
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
  private final java.util.function.Function<String, String> runbook;

  /**
   * @param enqueueUrl {@code https://events.pagerduty.com/v2/enqueue}
   * @param stateFile where the outbox and the open alerts are saved
   */
  public PagerDutyNotifier(URI enqueueUrl, Path routingKeyFile, Path stateFile, AlertOutbox.Timing timing) {
    this(enqueueUrl, routingKeyFile, stateFile, timing, detector -> null);
  }

  /** @param runbook the runbook link of a detector's incidents, {@code null} for none */
  public PagerDutyNotifier(URI enqueueUrl, Path routingKeyFile, Path stateFile, AlertOutbox.Timing timing,
      java.util.function.Function<String, String> runbook) {
    this.runbook = java.util.Objects.requireNonNull(runbook, "runbook");
    this.outbox = new AlertOutbox("PagerDuty", enqueueUrl, routingKeyFile, stateFile, timing,
        (request, body, key) -> body.put("routing_key", key));
  }

  public void start() throws IOException {
    outbox.start();
  }

  /** Queues what {@code change} sends to PagerDuty with the default routing key, if anything. */
  public void deliver(IncidentChange change) {
    deliver(change, new Route(Route.DEFAULT, null, "", false, List.of()));
  }

  /**
   * Queues what {@code change} sends to PagerDuty, if anything. Never blocks on the network. An incident whose alert
   * is open keeps the routing key it was triggered with; one without an alert triggers only where its route names
   * PagerDuty ({@code ""} as the key file: the default key).
   */
  public void deliver(IncidentChange change, Route route) {
    String id = change.incident().id();
    var pinned = outbox.alertedWith(id);
    // an open alert keeps its key; a new one takes the route's; "" is the default key
    String file = pinned.orElse(route.pagerdutyRoutingKeyFile());
    if (file == null) {
      return; // routed elsewhere, and no alert of it is open here
    }
    String keyFile = file.isEmpty() ? null : file;
    PagerDutyEvents.eventFor(change, pinned.isPresent(), runbook.apply(change.incident().detectorId()))
        .ifPresent(event -> {
          boolean resolve = event.getString("event_action").equals("resolve");
          outbox.enqueue(id, List.of(new AlertCall(id, "POST", "", event, keyFile)), !resolve, resolve);
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

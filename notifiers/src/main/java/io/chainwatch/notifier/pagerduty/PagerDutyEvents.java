package io.chainwatch.notifier.pagerduty;

import io.chainwatch.model.Incident;
import io.chainwatch.model.IncidentChange;
import io.chainwatch.model.Severity;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * What an incident change sends to PagerDuty (pure): an incident triggers its alert when it pages (escalated, or opened
 * critical), every later change of it triggers again under the same {@code dedup_key} (PagerDuty updates the alert),
 * and its resolution resolves the alert. Thread replies and digests send nothing. The routing key is added at send
 * time, never kept with the event.
 */
public final class PagerDutyEvents {
  static final int MAX_SUMMARY = 1024;
  private static final int MAX_LISTED = 20;

  private PagerDutyEvents() {}

  /**
   * @param alerted whether this incident's alert was triggered already
   */
  public static Optional<JsonObject> eventFor(IncidentChange change, boolean alerted) {
    return eventFor(change, alerted, null);
  }

  /**
   * @param alerted whether this incident's alert was triggered already
   * @param runbook the runbook link for the incident's detector, {@code null} for none
   */
  public static Optional<JsonObject> eventFor(IncidentChange change, boolean alerted, String runbook) {
    Incident incident = change.incident();
    switch (change.kind()) {
      case RESOLVED:
        return alerted ? Optional.of(new JsonObject().put("event_action", "resolve").put("dedup_key", incident.id()))
            : Optional.empty();
      case REPLY:
      case DIGEST:
        return Optional.empty();
      default:
        if (!alerted && !change.pages()) {
          return Optional.empty();
        }
        return Optional.of(trigger(change, runbook));
    }
  }

  private static JsonObject trigger(IncidentChange change, String runbook) {
    Incident incident = change.incident();
    String summary = "[" + incident.cluster() + "] " + incident.title() + ": " + incident.summary();
    JsonObject details = new JsonObject()
        .put("incident", incident.id())
        .put("state", incident.state().name().toLowerCase(java.util.Locale.ROOT))
        .put("change", change.kind().wireName() + ": " + change.text())
        .put("openFindings", incident.openFindings())
        .put("subjects", new JsonArray(incident.subjects().subList(0, Math.min(MAX_LISTED, incident.subjects().size()))))
        .put("cause", new JsonArray(incident.cause().subList(0, Math.min(MAX_LISTED, incident.cause().size()))))
        .put("action", incident.action());
    if (incident.needsPerson() != null) {
      details.put("needsPerson", incident.needsPerson());
    }
    if (runbook != null && !runbook.isBlank()) {
      details.put("runbook", runbook);
    }
    JsonObject payload = new JsonObject()
        .put("summary", summary.length() > MAX_SUMMARY ? summary.substring(0, MAX_SUMMARY - 3) + "..." : summary)
        .put("source", incident.node() != null ? incident.node() : incident.cluster())
        .put("severity", severity(incident.severity()))
        .put("timestamp", change.at().toString())
        .put("component", incident.detectorId())
        .put("group", incident.cluster())
        .put("class", incident.detectorId())
        .put("custom_details", details);
    JsonObject event = new JsonObject().put("event_action", "trigger").put("dedup_key", incident.id())
        .put("payload", payload).put("client", "chainwatch");
    if (runbook != null && (runbook.startsWith("https://") || runbook.startsWith("http://"))) {
      event.put("links", new JsonArray().add(new JsonObject().put("href", runbook).put("text", "Runbook")));
    }
    return event;
  }

  static String severity(Severity severity) {
    switch (severity) {
      case CRITICAL:
        return "critical";
      case WARNING:
        return "warning";
      default:
        return "info";
    }
  }
}

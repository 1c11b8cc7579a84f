package io.chainwatch.notifier.opsgenie;

import io.chainwatch.model.Incident;
import io.chainwatch.model.IncidentChange;
import io.chainwatch.model.Severity;
import io.chainwatch.notifier.alert.AlertCall;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Alert API calls an incident change makes (pure): an incident creates its alert (alias = incident id) when it
 * pages; later changes add a note and update the description and priority; thread replies add a note; the resolution
 * closes it. Incidents that never paged, and digests, make no call.
 */
public final class OpsgenieCalls {
  static final int MAX_MESSAGE = 130;
  static final int MAX_DESCRIPTION = 15_000;
  static final int MAX_NOTE = 25_000;

  private OpsgenieCalls() {}

  /**
   * @param alerted whether this incident's alert was created already
   * @param team the responder team, or empty for none (the integration's own routing then applies)
   */
  public static List<AlertCall> callsFor(IncidentChange change, boolean alerted, String team) {
    return callsFor(change, alerted, team.isEmpty() ? List.of() : List.of("team:" + team));
  }

  /**
   * @param alerted whether this incident's alert was created already
   * @param responders the new alert's responders as {@code type:name} (team, user, escalation, schedule); empty
   *     leaves routing to the integration
   */
  public static List<AlertCall> callsFor(IncidentChange change, boolean alerted, List<String> responders) {
    Incident incident = change.incident();
    String id = incident.id();
    String alias = URLEncoder.encode(id, StandardCharsets.UTF_8);
    List<AlertCall> calls = new ArrayList<>();
    switch (change.kind()) {
      case DIGEST:
        return calls;
      case RESOLVED:
        if (alerted) {
          calls.add(new AlertCall(id, "POST", "/v2/alerts/" + alias + "/close?identifierType=alias",
              new JsonObject().put("source", "chainwatch").put("note", cut("resolved: " + change.text(), MAX_NOTE))));
        }
        return calls;
      case REPLY:
        if (alerted) {
          calls.add(note(id, alias, change));
        }
        return calls;
      default:
        if (!alerted) {
          if (change.pages()) {
            calls.add(new AlertCall(id, "POST", "/v2/alerts", create(change, responders)));
          }
          return calls;
        }
        calls.add(note(id, alias, change));
        calls.add(new AlertCall(id, "PUT", "/v2/alerts/" + alias + "/description?identifierType=alias",
            new JsonObject().put("description", description(incident))));
        calls.add(new AlertCall(id, "PUT", "/v2/alerts/" + alias + "/priority?identifierType=alias",
            new JsonObject().put("priority", priority(incident.severity()))));
        return calls;
    }
  }

  private static AlertCall note(String id, String alias, IncidentChange change) {
    return new AlertCall(id, "POST", "/v2/alerts/" + alias + "/notes?identifierType=alias", new JsonObject()
        .put("source", "chainwatch").put("note", cut(change.kind().wireName() + ": " + change.text(), MAX_NOTE)));
  }

  private static JsonObject create(IncidentChange change, List<String> responders) {
    Incident incident = change.incident();
    JsonObject body = new JsonObject()
        .put("message", cut("[" + incident.cluster() + "] " + incident.title(), MAX_MESSAGE))
        .put("alias", incident.id())
        .put("description", description(incident))
        .put("tags", new JsonArray().add("chainwatch").add(incident.detectorId()).add(incident.cluster())
            .add(incident.severity().wireName()))
        .put("details", new JsonObject().put("cluster", incident.cluster())
            .put("node", incident.node() == null ? "" : incident.node())
            .put("detector", incident.detectorId()).put("state", incident.state().wireName()))
        .put("entity", incident.node() != null ? incident.node() : incident.cluster())
        .put("source", "chainwatch")
        .put("priority", priority(incident.severity()));
    if (!responders.isEmpty()) {
      JsonArray list = new JsonArray();
      for (String responder : responders) {
        int colon = responder.indexOf(':');
        String type = responder.substring(0, colon);
        String name = responder.substring(colon + 1);
        // users are named by username; teams, escalations and schedules by name
        list.add(new JsonObject().put("type", type).put(type.equals("user") ? "username" : "name", name));
      }
      body.put("responders", list);
    }
    return body;
  }

  static String description(Incident incident) {
    StringBuilder text = new StringBuilder(incident.summary());
    if (!incident.subjects().isEmpty()) {
      text.append("\n\nAffected: ").append(String.join(", ", incident.subjects()));
    }
    if (!incident.cause().isEmpty()) {
      text.append("\n\nCause and evidence:\n").append(String.join("\n", incident.cause()));
    }
    text.append("\n\nAction: ").append(incident.action());
    if (incident.needsPerson() != null) {
      text.append("\n\nNeeds a person: ").append(incident.needsPerson());
    }
    return cut(text.toString(), MAX_DESCRIPTION);
  }

  static String priority(Severity severity) {
    switch (severity) {
      case CRITICAL:
        return "P1";
      case WARNING:
        return "P3";
      default:
        return "P5";
    }
  }

  private static String cut(String text, int max) {
    return text.length() > max ? text.substring(0, max - 3) + "..." : text;
  }
}

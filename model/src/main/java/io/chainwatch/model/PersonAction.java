package io.chainwatch.model;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A person's click on an incident's message, as chainwatch received it.
 *
 * @param clickId the click's id (Slack's envelope id, or the action's own timestamp): the same click delivered twice
 *     is acted on once
 * @param kind what was asked
 * @param incidentId the incident the message is about
 * @param approvalId for approve and reject, the approval asked; {@code null} otherwise
 * @param silenceHours for silence, how long
 * @param user who (the Slack user id)
 * @param userName their name as Slack shows it, for people reading the audit log
 * @param allowed whether the user is in the group that may act; refused clicks are audited, never acted on
 * @param at when chainwatch received it
 */
public record PersonAction(String clickId, Kind kind, String incidentId, String approvalId, int silenceHours,
    String user, String userName, boolean allowed, Instant at) implements BusMessage {
  public PersonAction {
    Objects.requireNonNull(clickId, "clickId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(incidentId, "incidentId");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(at, "at");
  }

  /** What a person can ask. */
  public enum Kind {
    ACKNOWLEDGE,
    SILENCE,
    APPROVE,
    REJECT;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The user as messages show them: a Slack mention. */
  public String mention() {
    return "<@" + user + ">";
  }
}

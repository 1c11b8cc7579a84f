package io.chainwatch.notifier.slack;

import io.chainwatch.model.ApprovalChange;
import io.chainwatch.model.Incident;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of an incident's root message people act on (pure): who did what (acknowledged, silenced, approvals and
 * their answers), then the buttons: Acknowledge, Silence 1 h / 4 h / 24 h, and Approve / Reject for each action that
 * waits for one. A resolved incident has no buttons.
 */
public final class ActionBlocks {
  private static final int MAX_APPROVALS_SHOWN = 5;

  private ActionBlocks() {}

  /**
   * @param acknowledgedBy who acknowledged, {@code null} when nobody
   * @param silencedBy who silenced, {@code null} when no silence holds
   * @param silencedUntil until when
   * @param approvals the incident's approvals, latest state of each, oldest first
   */
  public static String blocks(Incident incident, String acknowledgedBy, String silencedBy, Instant silencedUntil,
      List<ApprovalChange> approvals) {
    JsonArray blocks = new JsonArray();
    List<String> lines = new ArrayList<>();
    if (acknowledgedBy != null) {
      lines.add(":eyes: Acknowledged by " + acknowledgedBy);
    }
    if (silencedBy != null && silencedUntil != null) {
      lines.add(":mute: Silenced by " + silencedBy + " until " + silencedUntil);
    }
    for (ApprovalChange approval : approvals) {
      if (approval.state() != ApprovalChange.State.ASKED) {
        lines.add(icon(approval.state()) + " " + SlackMessageFormatter.escape(approval.action()) + ": "
            + approval.state().wireName() + (approval.by() == null ? "" : " by " + approval.by()));
      }
    }
    if (!lines.isEmpty()) {
      blocks.add(new JsonObject().put("type", "context").put("elements", new JsonArray()
          .add(new JsonObject().put("type", "mrkdwn").put("text", String.join("\n", lines)))));
    }
    if (incident.state() == Incident.State.RESOLVED) {
      return blocks.encode();
    }
    int shown = 0;
    for (ApprovalChange approval : approvals) {
      if (approval.open() && shown++ < MAX_APPROVALS_SHOWN) {
        String value = approval.approvalId() + "|" + incident.id();
        blocks.add(new JsonObject().put("type", "section").put("text", new JsonObject().put("type", "mrkdwn")
            .put("text", ":raised_hand: *Approval needed* (expires " + approval.expiresAt() + "): "
                + SlackMessageFormatter.escape(approval.action()))));
        blocks.add(new JsonObject().put("type", "actions").put("block_id", "chainwatch.approval." + approval.approvalId())
            .put("elements", new JsonArray()
                .add(button("Approve", SlackActions.APPROVE, value).put("style", "primary"))
                .add(button("Reject", SlackActions.REJECT, value).put("style", "danger"))));
      }
    }
    JsonArray elements = new JsonArray();
    if (acknowledgedBy == null) {
      elements.add(button("Acknowledge", SlackActions.ACKNOWLEDGE, incident.id()));
    }
    for (int hours : new int[] {1, 4, 24}) {
      elements.add(button("Silence " + hours + " h", SlackActions.SILENCE_PREFIX + hours + "h", incident.id()));
    }
    blocks.add(new JsonObject().put("type", "actions").put("block_id", "chainwatch.incident").put("elements",
        elements));
    return blocks.encode();
  }

  private static JsonObject button(String text, String actionId, String value) {
    return new JsonObject().put("type", "button").put("action_id", actionId).put("value", value)
        .put("text", new JsonObject().put("type", "plain_text").put("text", text));
  }

  private static String icon(ApprovalChange.State state) {
    switch (state) {
      case APPROVED:
        return ":white_check_mark:";
      case REJECTED:
        return ":no_entry_sign:";
      case EXPIRED:
        return ":hourglass:";
      default:
        return ":information_source:";
    }
  }
}

package io.chainwatch.notifier.slack;

import io.chainwatch.model.Incident;
import io.chainwatch.model.IncidentChange;
import io.chainwatch.model.Severity;
import io.chainwatch.notifier.incident.DetectorTexts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Renders incidents as Slack Block Kit: the root message says what is wrong, where, why (the evidence), what
 * chainwatch did or why not, and the runbook step; thread replies say what happened since. Pure.
 */
public final class SlackMessageFormatter {
  private static final int MAX_SUBJECTS = 10;
  private static final int MAX_TEXT = 2900; // a section's text may hold 3000 characters

  /**
   * A message: the notification text (also the fallback where blocks do not render) and the blocks.
   *
   * @param text plain text
   * @param blocks Block Kit JSON array
   */
  public record SlackMessage(String text, String blocks) {}

  private SlackMessageFormatter() {}

  public static SlackMessage root(Incident incident, String runbook) {
    return root(incident, runbook, null);
  }

  /**
   * @param actionBlocks blocks (a JSON array) with who did what and the buttons, placed above the footer; {@code null}
   *     for none
   */
  public static SlackMessage root(Incident incident, String runbook, String actionBlocks) {
    JsonArray blocks = new JsonArray();
    String headline = emoji(incident) + " " + incident.severity().wireName().toUpperCase() + " · " + incident.title();
    blocks.add(new JsonObject().put("type", "header").put("text", plain(limit(headline, 150))));
    blocks.add(section("*" + (incident.state() == Incident.State.RESOLVED ? "Resolved" : "What is wrong") + ":* "
        + escape(incident.summary())));
    blocks.add(new JsonObject().put("type", "section").put("fields", new JsonArray()
        .add(markdown("*Cluster*\n" + escape(incident.cluster())))
        .add(markdown("*Node*\n" + (incident.node() == null ? "—" : escape(incident.node()))))
        .add(markdown("*State*\n" + incident.state().wireName()
            + (incident.state() == Incident.State.RESOLVED ? " at " + incident.resolvedAt() : "")))
        .add(markdown("*Open findings*\n" + incident.openFindings()))));
    if (!incident.subjects().isEmpty()) {
      List<String> shown = incident.subjects().subList(0, Math.min(MAX_SUBJECTS, incident.subjects().size()));
      blocks.add(section("*Affected:* " + String.join(", ", shown.stream().map(s -> "`" + escape(s) + "`").toList())
          + (incident.subjects().size() > MAX_SUBJECTS ? " and " + (incident.subjects().size() - MAX_SUBJECTS)
              + " more" : "")));
    }
    if (!incident.cause().isEmpty()) {
      blocks.add(section("*Cause and evidence:*\n```" + escape(String.join("\n", incident.cause())) + "```"));
    }
    blocks.add(section("*Action:* " + escape(incident.action())
        + (incident.needsPerson() == null || incident.state() == Incident.State.RESOLVED ? ""
            : "\n:raising_hand: *Needs a person:* " + escape(incident.needsPerson()))));
    if (!runbook.isEmpty() && incident.state() != Incident.State.RESOLVED) {
      blocks.add(section("*Runbook:* " + escape(runbook)));
    }
    if (actionBlocks != null) {
      new JsonArray(actionBlocks).forEach(blocks::add);
    }
    blocks.add(new JsonObject().put("type", "context").put("elements", new JsonArray().add(markdown(
        "chainwatch · incident `" + incident.id() + "` · opened " + incident.openedAt() + " · updated "
            + incident.updatedAt()))));
    return new SlackMessage(headline, blocks.encode());
  }

  public static SlackMessage digest(Incident storm, List<String> lines) {
    JsonArray blocks = new JsonArray();
    blocks.add(new JsonObject().put("type", "header").put("text", plain(":rotating_light: " + storm.title())));
    blocks.add(section(escape(storm.summary())));
    blocks.add(section(escape(String.join("\n", lines.stream().map(line -> "• " + line).toList()))));
    blocks.add(new JsonObject().put("type", "context").put("elements", new JsonArray().add(markdown(
        "chainwatch · every incident is in the audit log (Kafka) with its id"))));
    return new SlackMessage(storm.title() + ": " + lines.size() + " incidents", blocks.encode());
  }

  /** The thread reply for a change; mentions the on-call group when the change asks for it. */
  public static String reply(IncidentChange change, String oncallGroup) {
    String mention = change.mention() && !oncallGroup.isEmpty() ? "<!subteam^" + oncallGroup + "> " : "";
    String icon = switch (change.kind()) {
      case ACTING -> ":hammer_and_wrench:";
      case ESCALATED -> ":rotating_light:";
      case RESOLVED -> ":white_check_mark:";
      case REOPENED -> ":repeat:";
      case RENOTIFY -> ":alarm_clock:";
      default -> ":information_source:";
    };
    return limit(mention + icon + " " + change.text(), 3000);
  }

  private static String emoji(Incident incident) {
    if (incident.state() == Incident.State.RESOLVED) {
      return ":white_check_mark:";
    }
    if (incident.state() == Incident.State.ESCALATED) {
      return ":rotating_light:";
    }
    if (incident.state() == Incident.State.ACTING) {
      return ":hammer_and_wrench:";
    }
    return incident.severity() == Severity.CRITICAL ? ":red_circle:" : ":warning:";
  }

  private static JsonObject section(String markdown) {
    return new JsonObject().put("type", "section").put("text", markdown(limit(markdown, MAX_TEXT)));
  }

  private static JsonObject markdown(String text) {
    return new JsonObject().put("type", "mrkdwn").put("text", text);
  }

  private static JsonObject plain(String text) {
    return new JsonObject().put("type", "plain_text").put("text", text).put("emoji", true);
  }

  /** Slack's three control characters; everything else is shown as written. */
  static String escape(String text) {
    return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String limit(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }
}

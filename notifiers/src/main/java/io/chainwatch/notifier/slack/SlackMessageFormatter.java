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
  /** A message holds at most 50 blocks; a digest keeps room for its header, summary and footer. */
  private static final int MAX_DIGEST_SECTIONS = 40;

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
    // whole lines only, as many sections as Slack allows: the count below says how many are shown
    int shown = 0;
    StringBuilder text = new StringBuilder();
    int sections = 0;
    for (String line : lines) {
      String item = "• " + escape(line) + "\n";
      if (item.length() > MAX_TEXT) {
        item = limit(item, MAX_TEXT);
      }
      if (text.length() + item.length() > MAX_TEXT) {
        if (sections == MAX_DIGEST_SECTIONS - 1) {
          break;
        }
        blocks.add(section(text.toString()));
        sections++;
        text.setLength(0);
      }
      text.append(item);
      shown++;
    }
    if (text.length() > 0) {
      blocks.add(section(text.toString()));
    }
    blocks.add(new JsonObject().put("type", "context").put("elements", new JsonArray().add(markdown(
        "chainwatch · " + shown + " listed here, the first ones folded; every incident is in the audit log (Kafka) "
            + "with its id"))));
    return new SlackMessage(storm.title() + ": " + storm.summary(), blocks.encode());
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
    // the change's text quotes the API server, webhooks and pods: escaped like every root, so a "<!channel>",
    // "<!here>" or "<!subteam^…>" in it is shown, not a live mention. A user mention (<@U…>) stays one: it is how
    // chainwatch names the person who clicked, and it notifies only that person.
    String text = USER_MENTION.matcher(escape(change.text())).replaceAll("<@$1>");
    return mention + icon + " " + limit(text, 3000 - mention.length() - icon.length() - 1);
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

  /**
   * Shortens mrkdwn to {@code max} characters without breaking it: never inside an {@code &amp;}-style entity or a
   * surrogate pair, and a code block left open by the cut is closed again.
   */
  static String limit(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int cut = max - 1 - FENCE.length(); // room for "…" and a closing fence
    if (Character.isLowSurrogate(text.charAt(cut))) {
      cut--;
    }
    int amp = text.lastIndexOf('&', cut - 1);
    if (amp >= 0 && amp > cut - 6 && text.indexOf(';', amp) >= cut) {
      cut = amp; // the cut would split &amp; &lt; &gt;
    }
    String kept = text.substring(0, cut);
    int fences = 0;
    for (int at = kept.indexOf(FENCE); at >= 0; at = kept.indexOf(FENCE, at + FENCE.length())) {
      fences++;
    }
    return kept + "…" + (fences % 2 == 1 ? FENCE : "");
  }

  private static final String FENCE = "```";
  private static final java.util.regex.Pattern USER_MENTION = java.util.regex.Pattern.compile("&lt;@([UW][A-Z0-9]{2,20})&gt;");
}

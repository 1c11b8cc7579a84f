package io.chainwatch.notifier.slack;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.Incident;
import io.chainwatch.model.IncidentChange;
import io.chainwatch.model.IncidentChange.Kind;
import io.chainwatch.model.Severity;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlackMessageFormatterTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private static Incident incident(String summary, List<String> cause) {
    return new Incident("inc-1", "missed-cilium-chain:node/n1", "missed-cilium-chain", "prod", Severity.CRITICAL,
        Incident.State.ESCALATED, "Pods missed the Cilium chain on node n1", "n1", List.of("Pod/shop/web-1"), 1,
        summary, cause, "page", "the eviction failed", false, T0, T0, null);
  }

  @Test
  void aThreadReplyQuotingTheApiServerIsEscapedSoItCannotMentionTheChannel() {
    String reply = SlackMessageFormatter.reply(new IncidentChange(incident("s", List.of()), Kind.ESCALATED,
        "eviction refused: admission webhook said <!channel> <!here> <!subteam^S0X> deny & <@U0ALICE>", true, true,
        List.of(), T0), "S0ONCALL");

    assertThat(reply).isEqualTo("<!subteam^S0ONCALL> :rotating_light: eviction refused: admission webhook said "
        + "&lt;!channel&gt; &lt;!here&gt; &lt;!subteam^S0X&gt; deny &amp; <@U0ALICE>");
  }

  @Test
  void truncationNeverCutsAnEntityOrLeavesACodeBlockOpen() {
    String cut = SlackMessageFormatter.limit("```" + "x".repeat(2890) + " &amp; more text after", 2900);
    assertThat(cut).hasSizeLessThanOrEqualTo(2900).endsWith("…```").doesNotContain("&am…").doesNotContain("&…");
    assertThat(cut.split("```", -1)).hasSize(3); // opened and closed

    String entity = "a".repeat(2894) + "&lt;tail";
    String limited = SlackMessageFormatter.limit(entity, 2900);
    assertThat(limited).hasSizeLessThanOrEqualTo(2900).endsWith("a…").doesNotContain("&");

    for (int pad = 2890; pad < 2897; pad++) { // the cut falls on each half of a pair
      String emoji = "a".repeat(pad) + "\uD83D\uDE80".repeat(6);
      String surrogates = SlackMessageFormatter.limit(emoji, 2900);
      assertThat(surrogates).endsWith("…");
      assertThat(Character.isHighSurrogate(surrogates.charAt(surrogates.length() - 2))).as("pad " + pad).isFalse();
    }

    assertThat(SlackMessageFormatter.limit("short &amp; whole", 2900)).isEqualTo("short &amp; whole");
  }

  @Test
  void theRootMessagesLongCauseStaysOneClosedCodeBlock() {
    List<String> cause = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      cause.add("hostRpFilter: eth" + i + " & lxc" + i + " <strict>");
    }
    JsonArray blocks = new JsonArray(SlackMessageFormatter.root(incident("summary", cause), "").blocks());

    String causeText = blocks.stream().map(JsonObject.class::cast)
        .filter(b -> b.getJsonObject("text") != null && b.getJsonObject("text").getString("text").startsWith("*Cause"))
        .findFirst().orElseThrow().getJsonObject("text").getString("text");
    assertThat(causeText).hasSizeLessThanOrEqualTo(2900).endsWith("```");
    assertThat(causeText.split("```", -1)).hasSize(3);
    assertThat(causeText).doesNotContainPattern("&[a-z]*…");
  }

  @Test
  void aStormDigestSaysHowManyItListsOfHowManyItFolded() {
    Incident storm = new Incident("storm-1", "storm", "storm", "prod", Severity.CRITICAL, Incident.State.OPEN,
        "Storm of incidents", null, List.of(), 0,
        "Storm: more than 10 incidents within PT5M; 110 incidents were folded into this message instead of one each",
        List.of(), "", null, false, T0, T0, null);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      lines.add("critical Pods missed the Cilium chain: Pod/shop/web-" + i + "-" + "x".repeat(120) + " (incident i"
          + i + ")");
    }

    JsonArray blocks = new JsonArray(SlackMessageFormatter.digest(storm, lines).blocks());
    String all = blocks.encode();
    long listed = blocks.stream().map(JsonObject.class::cast).filter(b -> "section".equals(b.getString("type")))
        .mapToLong(b -> b.getJsonObject("text").getString("text").lines().filter(l -> l.startsWith("• ")).count())
        .sum();

    assertThat(all).contains("110 incidents were folded");
    assertThat(listed).isEqualTo(50); // whole lines, spread over sections, none cut
    assertThat(all).contains("chainwatch · 50 listed here");
    assertThat(blocks.size()).isLessThanOrEqualTo(50);
    for (Object block : blocks) {
      JsonObject text = ((JsonObject) block).getJsonObject("text");
      if (text != null) {
        assertThat(text.getString("text")).hasSizeLessThanOrEqualTo(3000);
      }
    }
  }
}

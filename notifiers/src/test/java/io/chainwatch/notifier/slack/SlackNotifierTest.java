package io.chainwatch.notifier.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chainwatch.config.NotifiersConfig;
import io.chainwatch.model.Incident;
import io.chainwatch.model.IncidentChange;
import io.chainwatch.model.IncidentChange.Kind;
import io.chainwatch.model.Severity;
import io.chainwatch.testkit.LocalSlackServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Slack SDK against a local server that speaks the Slack Web API and plays its failures. */
@Tag("slow")
class SlackNotifierTest {
  private static final Instant T0 = Instant.parse("2026-11-23T04:00:00Z");
  private static final SlackNotifier.Timing FAST = new SlackNotifier.Timing(Duration.ZERO, Duration.ofMillis(300),
      Duration.ofSeconds(1));

  @TempDir Path dir;
  private LocalSlackServer slack;
  private final List<SlackNotifier> notifiers = new ArrayList<>();

  @BeforeEach
  void startSlack() {
    slack = LocalSlackServer.start();
  }

  @AfterEach
  void stop() {
    notifiers.forEach(n -> n.close(Duration.ZERO));
    slack.close();
  }

  private SlackNotifier notifier() throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, "xoxb-test-token\n");
    SlackNotifier notifier = new SlackNotifier(new NotifiersConfig.Slack(token.toString(), "#oncall", "S0ONCALL",
        slack.apiUrl()), dir.resolve("slack-threads.json"), FAST,
        io.chainwatch.notifier.incident.TestTexts.TEXTS);
    notifier.start();
    notifiers.add(notifier);
    return notifier;
  }

  static IncidentChange change(String id, Incident.State state, Kind kind, String text, boolean mention) {
    Incident incident = new Incident(id, "missed-cilium-chain:node/n1", "missed-cilium-chain", "prod",
        Severity.CRITICAL, state, "Pods missed the Cilium chain on node n1 (2 pods)", "n1",
        List.of("Pod/shop/web-1", "Pod/shop/web-2"), 2, "web-1 started 3 s before cilium-agent was Ready",
        List.of("podUid: u1", "chainRace: true"), "chainwatch restarts the affected pods",
        state == Incident.State.ESCALATED ? "PodDisruptionBudget web-pdb refused" : null, false, T0, T0,
        state == Incident.State.RESOLVED ? T0 : null);
    return new IncidentChange(incident, kind, text, true, mention, List.of(), T0);
  }

  @Test
  void oneRootMessageEditedInPlaceWithTheStoryInItsThread() throws Exception {
    SlackNotifier notifier = notifier();

    notifier.deliver(change("i-1", Incident.State.OPEN, Kind.OPENED, "opened", false));
    notifier.deliver(change("i-1", Incident.State.ACTING, Kind.ACTING, "evicting shop/web-1", false));
    notifier.deliver(change("i-1", Incident.State.ESCALATED, Kind.ESCALATED, "needs a person: budget", true));
    notifier.deliver(change("i-1", Incident.State.RESOLVED, Kind.RESOLVED, "resolved", false));

    await().atMost(Duration.ofSeconds(10)).until(() -> notifier.pending() == 0
        && slack.roots().size() == 1 && slack.replies(slack.roots().get(0).ts).size() == 3);
    LocalSlackServer.Message root = slack.roots().get(0);
    assertThat(root.edits).isGreaterThanOrEqualTo(1);
    assertThat(root.text).contains("Pods missed the Cilium chain on node n1");
    assertThat(root.blocks.encode()).contains("Cause and evidence", "chainRace: true", "Pod/shop/web-1", "Resolved");
    assertThat(slack.calls("chat.postMessage").get(0).params().get("blocks"))
        .as("while unresolved, the root carries the runbook step")
        .contains("Runbook", "node.cilium.io/agent-not-ready", "What is wrong");
    List<String> replies = slack.replies(root.ts).stream().map(m -> m.text).toList();
    assertThat(replies.get(0)).contains("evicting shop/web-1");
    assertThat(replies.get(1)).startsWith("<!subteam^S0ONCALL>").contains("needs a person");
    assertThat(replies.get(2)).contains("resolved");
    assertThat(slack.calls("chat.postMessage").get(0).params().get("channel")).isEqualTo("#oncall");
  }

  @Test
  void aRateLimitIsWaitedOutForExactlyItsRetryAfterAndNothingIsLost() throws Exception {
    slack.failNext("chat.postMessage", new LocalSlackServer.RateLimited(2));
    SlackNotifier notifier = notifier();

    notifier.deliver(change("i-1", Incident.State.OPEN, Kind.OPENED, "opened", false));

    await().atMost(Duration.ofSeconds(10)).until(() -> slack.roots().size() == 1);
    List<LocalSlackServer.Call> posts = slack.calls("chat.postMessage");
    assertThat(posts).hasSize(2);
    assertThat(Duration.between(posts.get(0).at(), posts.get(1).at())).as("no retry before Retry-After")
        .isGreaterThanOrEqualTo(Duration.ofMillis(1990));
  }

  @Test
  void serverErrorsAndAHangingEndpointAreRetriedWithoutStallingTheCaller() throws Exception {
    slack.failNext("chat.postMessage", new LocalSlackServer.ServerError(503));
    slack.failNext("chat.postMessage", new LocalSlackServer.Hang(Duration.ofSeconds(5)));
    slack.failNext("chat.postMessage", new LocalSlackServer.ServerError(500));
    SlackNotifier notifier = notifier();

    long start = System.nanoTime();
    notifier.deliver(change("i-1", Incident.State.OPEN, Kind.OPENED, "opened", false));
    long deliverMillis = (System.nanoTime() - start) / 1_000_000;

    await().atMost(Duration.ofSeconds(20)).until(() -> slack.roots().size() == 1);
    assertThat(deliverMillis).as("deliver only queues").isLessThan(100);
    assertThat(slack.calls("chat.postMessage")).hasSize(4);
    assertThat(notifier.retries()).isEqualTo(3);
  }

  @Test
  void okFalseIsHandledByItsErrorCode() throws Exception {
    slack.failNext("chat.postMessage", new LocalSlackServer.NotOk("channel_not_found"));
    slack.failNext("chat.postMessage", new LocalSlackServer.NotOk("internal_error"));
    SlackNotifier notifier = notifier();

    notifier.deliver(change("i-1", Incident.State.OPEN, Kind.OPENED, "opened", false));
    await().atMost(Duration.ofSeconds(10)).until(() -> slack.roots().size() == 1);
    slack.failNext("chat.update", new LocalSlackServer.NotOk("message_not_found"));
    notifier.deliver(change("i-1", Incident.State.ACTING, Kind.ACTING, "evicting", false));

    await().atMost(Duration.ofSeconds(10)).until(() -> slack.roots().size() == 2);
    assertThat(slack.replies(slack.roots().get(1).ts)).extracting(m -> m.text)
        .anyMatch(text -> text.contains("evicting"));
  }

  @Test
  void aRestartEditsTheSameRootMessageInsteadOfPostingASecond() throws Exception {
    SlackNotifier first = notifier();
    first.deliver(change("i-1", Incident.State.OPEN, Kind.OPENED, "opened", false));
    await().atMost(Duration.ofSeconds(10)).until(() -> slack.roots().size() == 1);
    first.close(Duration.ofSeconds(1));

    SlackNotifier second = notifier();
    second.deliver(change("i-1", Incident.State.OPEN, Kind.OPENED, "opened again after restart", false));
    second.deliver(change("i-1", Incident.State.RESOLVED, Kind.RESOLVED, "resolved", false));

    await().atMost(Duration.ofSeconds(10)).until(() -> !slack.replies(slack.roots().get(0).ts).isEmpty());
    assertThat(slack.roots()).hasSize(1);
  }

  @Test
  void aStormDigestIsOneMessageUpdatedAsIncidentsArrive() throws Exception {
    SlackNotifier notifier = notifier();
    Incident storm = new Incident("storm-1", "storm", "storm", "prod", Severity.CRITICAL, Incident.State.OPEN,
        "Storm of incidents", null, List.of(), 0, "Storm: more than 10 incidents", List.of(), "", null, false, T0, T0,
        null);

    for (int i = 1; i <= 5; i++) {
      List<String> lines = new ArrayList<>();
      for (int j = 1; j <= i; j++) {
        lines.add("critical Pods missed the Cilium chain: Pod/shop/web-" + j);
      }
      notifier.deliver(new IncidentChange(storm, Kind.DIGEST, "storm", true, false, lines, T0));
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> notifier.pending() == 0 && !slack.roots().isEmpty()
        && slack.roots().get(0).blocks.encode().contains("web-5"));
    assertThat(slack.roots()).hasSize(1);
  }

  @Test
  void aLongStormRewritesItsDigestOnceWhileSlackIsBusyAndPushesNoOtherPageOut() throws Exception {
    slack.failNext("chat.postMessage", new LocalSlackServer.Hang(Duration.ofMillis(1500)));
    SlackNotifier notifier = notifier();
    Incident storm = new Incident("storm-1", "storm", "storm", "prod", Severity.CRITICAL, Incident.State.OPEN,
        "Storm of incidents", null, List.of(), 0, "Storm: more than 10 incidents", List.of(), "", null, false, T0, T0,
        null);

    notifier.deliver(change("i-1", Incident.State.OPEN, Kind.OPENED, "opened", false));
    notifier.deliver(change("i-2", Incident.State.OPEN, Kind.OPENED, "opened", false));
    int folded = 12_000; // more than the queue holds
    for (int i = 1; i <= folded; i++) {
      notifier.deliver(new IncidentChange(storm, Kind.DIGEST, "storm", true, false,
          List.of("critical Pods missed the Cilium chain: Pod/shop/web-" + i), T0));
    }

    assertThat(notifier.pending()).as("i-1 (unless taken already), i-2 and one digest").isBetween(2, 3);
    await().atMost(Duration.ofSeconds(20)).until(() -> notifier.pending() == 0 && slack.roots().size() == 3);
    assertThat(notifier.dropped()).isZero();
    assertThat(slack.roots()).extracting(m -> m.blocks.encode())
        .anyMatch(blocks -> blocks.contains("i-2"))
        .anyMatch(blocks -> blocks.contains("Pod/shop/web-" + folded) && !blocks.contains("web-" + (folded - 1)));
    assertThat(slack.calls("chat.update")).as("the storm's digest was posted, not rewritten per incident")
        .hasSizeLessThanOrEqualTo(1);
  }

  @Test
  void silencedOrFoldedChangesNeverReachSlack() throws Exception {
    SlackNotifier notifier = notifier();
    IncidentChange loud = change("i-1", Incident.State.OPEN, Kind.OPENED, "opened", false);

    notifier.deliver(new IncidentChange(loud.incident(), Kind.OPENED, "opened", false, false, List.of(), T0));
    notifier.deliver(change("i-2", Incident.State.OPEN, Kind.OPENED, "opened", false));

    await().atMost(Duration.ofSeconds(10)).until(() -> slack.roots().size() == 1);
    assertThat(slack.roots().get(0).blocks.encode()).contains("i-2");
  }
}

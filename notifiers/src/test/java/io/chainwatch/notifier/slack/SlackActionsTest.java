package io.chainwatch.notifier.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chainwatch.model.PersonAction;
import io.chainwatch.testkit.LocalSlackServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Slack SDK's Socket Mode client (Tyrus) against testkit's Socket Mode endpoint and real payloads. */
@Tag("slow")
class SlackActionsTest {
  @TempDir Path dir;
  private LocalSlackServer slack;
  private SlackActions actions;
  private final List<PersonAction> received = new CopyOnWriteArrayList<>();
  private final AtomicBoolean leading = new AtomicBoolean(true);
  private LocalSlackServer.Message root;

  @BeforeEach
  void start() throws Exception {
    slack = LocalSlackServer.start();
    slack.userGroup("S0ONCALL", "U0ALICE", "U0BOB");
    Path app = Files.writeString(dir.resolve("app-token"), "xapp-1-A0LOCAL-1-secret\n");
    Path bot = Files.writeString(dir.resolve("bot-token"), "xoxb-test\n");
    actions = new SlackActions(slack.apiUrl(), app.toString(), bot.toString(), "S0ONCALL", received::add,
        leading::get, Clock.systemUTC());
    actions.start();
    await().atMost(Duration.ofSeconds(20)).until(slack::connected);
    root = postRoot();
  }

  @AfterEach
  void stop() {
    actions.close();
    slack.close();
  }

  /** A root message to click on, posted as the notifier posts it. */
  private LocalSlackServer.Message postRoot() throws Exception {
    var methods = com.slack.api.Slack.getInstance(config()).methods("xoxb-test");
    methods.chatPostMessage(r -> r.channel("#oncall").text("incident inc-1"));
    return slack.roots().get(0);
  }

  private com.slack.api.SlackConfig config() {
    com.slack.api.SlackConfig config = new com.slack.api.SlackConfig();
    config.setMethodsEndpointUrlPrefix(slack.apiUrl());
    config.setStatsEnabled(false);
    return config;
  }

  @Test
  void aMembersClickIsHandedOnAndAcknowledged() {
    String envelope = slack.click("U0ALICE", "alice", root, SlackActions.ACKNOWLEDGE, "inc-1");

    await().atMost(Duration.ofSeconds(10)).until(() -> slack.acknowledgedEnvelopes().contains(envelope));
    assertThat(received).singleElement().satisfies(action -> {
      assertThat(action.kind()).isEqualTo(PersonAction.Kind.ACKNOWLEDGE);
      assertThat(action.incidentId()).isEqualTo("inc-1");
      assertThat(action.user()).isEqualTo("U0ALICE");
      assertThat(action.userName()).isEqualTo("alice");
      assertThat(action.allowed()).isTrue();
    });
  }

  @Test
  void silenceAndApprovalButtonsCarryTheirHoursAndApproval() {
    slack.click("U0BOB", "bob", root, SlackActions.SILENCE_PREFIX + "4h", "inc-1");
    slack.click("U0BOB", "bob", root, SlackActions.APPROVE, "a-123|inc-1");
    slack.click("U0BOB", "bob", root, SlackActions.SILENCE_PREFIX + "3h", "inc-1"); // not a button of ours

    await().atMost(Duration.ofSeconds(10)).until(() -> slack.acknowledgedEnvelopes().size() == 3);
    assertThat(received).extracting(a -> a.kind() + " " + a.silenceHours() + " " + a.approvalId() + " "
        + a.incidentId()).containsExactly("SILENCE 4 null inc-1", "APPROVE 0 a-123 inc-1");
  }

  @Test
  void aNonMembersClickIsRefusedAuditedAndToldWhy() {
    String envelope = slack.click("U0MALLORY", "mallory", root, SlackActions.APPROVE, "a-1|inc-1");

    await().atMost(Duration.ofSeconds(10)).until(() -> slack.acknowledgedEnvelopes().contains(envelope));
    assertThat(received).singleElement().satisfies(action -> assertThat(action.allowed()).isFalse());
    assertThat(actions.refused()).isEqualTo(1);
    assertThat(slack.calls("chat.postEphemeral")).singleElement().satisfies(call -> {
      assertThat(call.params().get("user")).isEqualTo("U0MALLORY");
      assertThat(call.params().get("text")).contains("Only members of <!subteam^S0ONCALL>", "nothing was done");
    });
  }

  @Test
  void aClickDeliveredAgainAfterALostAcknowledgementIsHandedOnOnce() {
    slack.loseAcks(true);
    slack.click("U0ALICE", "alice", root, SlackActions.ACKNOWLEDGE, "inc-1");
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
    slack.loseAcks(false);

    slack.refreshConnection(); // the envelope is delivered again on the new connection, retry_attempt 1
    await().atMost(Duration.ofSeconds(30)).until(() -> slack.connections() >= 2 && slack.acknowledgedEnvelopes()
        .size() == 1);

    assertThat(received).as("the same click, once").hasSize(1);
  }

  @Test
  void clicksWhileTheConnectionIsRefreshedOrLostAreNotLost() {
    slack.refreshConnection();
    String duringRefresh = slack.click("U0ALICE", "alice", root, SlackActions.ACKNOWLEDGE, "inc-1");
    await().atMost(Duration.ofSeconds(30)).until(() -> slack.acknowledgedEnvelopes().contains(duringRefresh));

    slack.dropConnection();
    String duringOutage = slack.click("U0BOB", "bob", root, SlackActions.SILENCE_PREFIX + "1h", "inc-1");
    await().atMost(Duration.ofSeconds(30)).until(() -> slack.acknowledgedEnvelopes().contains(duringOutage));

    assertThat(received).extracting(PersonAction::user).containsExactly("U0ALICE", "U0BOB");
    assertThat(slack.connections()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void onlyTheLeaderIsConnected() {
    leading.set(false);
    await().atMost(Duration.ofSeconds(20)).until(() -> !slack.connected());
    String envelope = slack.click("U0ALICE", "alice", root, SlackActions.ACKNOWLEDGE, "inc-1");

    leading.set(true);
    await().atMost(Duration.ofSeconds(20)).until(() -> slack.acknowledgedEnvelopes().contains(envelope));
    assertThat(received).as("the click waited for the leader").hasSize(1);
  }

  @Test
  void whenSlackCannotSayWhoIsInTheGroupNobodyMayAct() throws Exception {
    Path app = Files.writeString(dir.resolve("app-token-2"), "xapp-1-A0LOCAL-1-secret\n");
    Path bot = Files.writeString(dir.resolve("bot-token-2"), "xoxb-test\n");
    List<PersonAction> seen = new CopyOnWriteArrayList<>();
    actions.close(); // one connection at a time, as with one leader
    await().atMost(Duration.ofSeconds(20)).until(() -> !slack.connected());
    try (SlackActions misconfigured = new SlackActions(slack.apiUrl(), app.toString(), bot.toString(), "S0TYPO",
        seen::add, () -> true, Clock.systemUTC())) {
      misconfigured.start();
      await().atMost(Duration.ofSeconds(20)).until(slack::connected);
      String envelope = slack.click("U0ALICE", "alice", root, SlackActions.ACKNOWLEDGE, "inc-1");

      await().atMost(Duration.ofSeconds(10)).until(() -> slack.acknowledgedEnvelopes().contains(envelope));
      assertThat(seen).singleElement().satisfies(action -> assertThat(action.allowed())
          .as("usergroups.users.list answered no_such_subteam").isFalse());
    }
  }
}

package io.chainwatch.remediation.workflow;

import static io.chainwatch.remediation.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.config.RemediationConfig;
import io.chainwatch.remediation.Fixtures;
import io.chainwatch.remediation.action.RemediationStateCodec;
import io.chainwatch.remediation.policy.RemediationHistory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The breaker's transitions, across a restart of chainwatch. */
class BreakerTest {
  private final RemediationConfig config = Fixtures.config();
  private final Breaker breaker = new Breaker(config, "chainwatch", "chainwatch-remediation-state");
  private RemediationHistory history = new RemediationHistory();

  @Test
  void openedItPublishesTheFiguresAndHowToResetItOnceAndIsSaved() {
    for (int i = 0; i < 30; i++) {
      history.countRestartFinding("shop/web-" + i, "n" + (i % 3), T0);
    }
    List<Effect> effects = breaker.open(history, "30 pods in 60 s", 3, T0);

    Effect.PublishBreaker published = (Effect.PublishBreaker) effects.get(0);
    assertThat(published.change().open()).isTrue();
    assertThat(published.change().closesAt()).isEqualTo(T0.plus(config.breaker().cooldown()));
    assertThat(published.change().evidence()).containsEntry("podsCounted", 30).containsEntry("nodesAffected", 3L)
        .containsEntry("resetWith", "kubectl annotate configmap -n chainwatch chainwatch-remediation-state "
            + "chainwatch.io/reset-breaker=now");
    assertThat(effects).contains(new Effect.Save());
    assertThat(history.breaker()).isPresent();
  }

  @Test
  void itStaysOpenUntilItsCooldownThenClosesAndEverythingWaitingIsDecidedAgainEvenAfterARestart() {
    breaker.open(history, "storm", 3, T0);
    assertThat(breaker.tick(history, T0.plus(config.breaker().cooldown()).minusSeconds(1))).isEmpty();

    history = RemediationStateCodec.decode(RemediationStateCodec.encode(history)); // restarted meanwhile
    List<Effect> effects = breaker.tick(history, T0.plus(config.breaker().cooldown()));

    assertThat(((Effect.PublishBreaker) effects.get(0)).change().open()).isFalse();
    assertThat(effects).contains(new Effect.Save(), new Effect.DecideWaiting());
    assertThat(history.breaker()).isEmpty();
    assertThat(breaker.tick(history, T0.plus(config.breaker().cooldown()).plusSeconds(1))).as("closed once")
        .isEmpty();
  }

  @Test
  void aPersonsResetClosesItAtOnceAndAResetOfAClosedBreakerOnlyDecidesAgain() {
    breaker.open(history, "storm", 3, T0);
    List<Effect> reset = breaker.reset(history, T0.plusSeconds(5));
    assertThat(((Effect.PublishBreaker) reset.get(0)).change().reason()).contains("reset by a person");
    assertThat(history.breaker()).isEmpty();

    assertThat(breaker.reset(history, T0.plusSeconds(6))).containsExactly(new Effect.DecideWaiting());
  }
}

package io.chainwatch.remediation;

import static io.chainwatch.remediation.Fixtures.T0;
import static io.chainwatch.remediation.Fixtures.pod;
import static io.chainwatch.remediation.Fixtures.restartFinding;
import static org.assertj.core.api.Assertions.assertThat;

import io.chainwatch.model.Finding;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WaitingFindingsTest {
  private static Finding findingFor(int pod) {
    return restartFinding(pod("shop", "web-" + pod, "web-rs", "node-a"));
  }

  /**
   * Drives the queue and a plain model (a map walked in full, as the gate's tick did before) through the same random
   * puts, reschedules (earlier and later), removals and ticks: every tick must hand out exactly the findings the walk
   * finds due, in deadline order and then oldest first, each once.
   */
  @Test
  void everyTickHandsOutExactlyWhatAFullWalkFindsDue() {
    Random random = new Random(42);
    WaitingFindings waiting = new WaitingFindings();
    Map<String, Instant> model = new LinkedHashMap<>(); // key → when due, in the order keys started waiting
    Instant now = T0;
    int handedOut = 0;
    for (int step = 0; step < 20_000; step++) {
      int pod = random.nextInt(300);
      String key = findingFor(pod).dedupKey();
      int op = random.nextInt(10);
      if (op < 4) {
        Instant at = now.plusSeconds(random.nextInt(30) - 5);
        waiting.put(findingFor(pod), at);
        model.put(key, at);
      } else if (op < 6 && model.containsKey(key)) {
        Instant at = now.plusSeconds(random.nextInt(60) - 10);
        waiting.schedule(waiting.get(key), at);
        model.put(key, at);
      } else if (op < 7) {
        waiting.remove(key);
        model.remove(key);
      } else {
        now = now.plusSeconds(random.nextInt(4));
        List<String> expected = dueByWalk(model, now);
        List<String> got = waiting.due(now).stream().map(WaitingFindings.Waiting::key).toList();
        assertThat(got).as("due at step %d", step).isEqualTo(expected);
        handedOut += got.size();
        // what was handed out is decided: half wait again later, half are done
        for (String due : got) {
          if (random.nextBoolean()) {
            Instant later = now.plusSeconds(1 + random.nextInt(20));
            waiting.schedule(waiting.get(due), later);
            model.put(due, later);
          } else {
            waiting.remove(due);
            model.remove(due);
          }
        }
      }
      assertThat(waiting.size()).isEqualTo(model.size());
      assertThat(waiting.keys()).containsExactlyElementsOf(model.keySet());
    }
    assertThat(handedOut).as("the run exercised the due path").isGreaterThan(2_000);
    assertThat(waiting.queued()).as("stale deadlines are dropped").isLessThanOrEqualTo(2 * waiting.size() + 1_025);
  }

  /** What the old tick found: every waiting finding whose time has come, by deadline and then oldest first. */
  private static List<String> dueByWalk(Map<String, Instant> model, Instant now) {
    List<String> keys = new ArrayList<>(model.keySet());
    List<String> due = new ArrayList<>();
    for (String key : keys) {
      if (!model.get(key).isAfter(now)) {
        due.add(key);
      }
    }
    due.sort((a, b) -> {
      int byTime = model.get(a).compareTo(model.get(b));
      return byTime != 0 ? byTime : Integer.compare(keys.indexOf(a), keys.indexOf(b));
    });
    return due;
  }

  @Test
  void aFindingRescheduledLaterIsNotHandedOutAtItsEarlierDeadline() {
    WaitingFindings waiting = new WaitingFindings();
    WaitingFindings.Waiting web = waiting.put(findingFor(1), T0.plusSeconds(5));
    waiting.schedule(web, T0.plus(Duration.ofHours(1))); // the breaker opened: wait until it closes

    assertThat(waiting.due(T0.plusSeconds(10))).isEmpty();
    assertThat(waiting.due(T0.plus(Duration.ofHours(1)))).containsExactly(web);
    assertThat(waiting.due(T0.plus(Duration.ofHours(2)))).as("handed out once").isEmpty();
  }

  @Test
  void aNewerFindingUnderTheSameKeyReplacesTheOlderAndKeepsItsPlace() {
    WaitingFindings waiting = new WaitingFindings();
    waiting.put(findingFor(1), T0);
    waiting.put(findingFor(2), T0);
    Finding newer = findingFor(1);
    waiting.put(newer, T0);

    List<WaitingFindings.Waiting> due = waiting.due(T0);
    assertThat(due).extracting(WaitingFindings.Waiting::key)
        .containsExactly(findingFor(1).dedupKey(), findingFor(2).dedupKey());
    assertThat(due.get(0).finding()).isSameAs(newer);
  }

  @Test
  void aFindingMadeDueAgainByADecisionWaitsForTheNextTick() {
    WaitingFindings waiting = new WaitingFindings();
    WaitingFindings.Waiting web = waiting.put(findingFor(1), T0);
    List<WaitingFindings.Waiting> due = waiting.due(T0);
    waiting.schedule(web, T0); // an approval expired while it was decided
    assertThat(due).containsExactly(web);
    assertThat(waiting.stillDue(web, T0)).isTrue();
    assertThat(waiting.due(T0)).as("the next tick").containsExactly(web);

    waiting.remove(web.key());
    assertThat(waiting.stillDue(web, T0)).as("removed: no longer waiting").isFalse();
  }

  @Test
  void fiftyThousandWaitingBehindABreakerCostATickNothingUntilItCloses() {
    WaitingFindings waiting = new WaitingFindings();
    Instant closes = T0.plus(Duration.ofHours(1));
    for (int pod = 0; pod < 50_000; pod++) {
      waiting.put(findingFor(pod), closes);
    }
    for (int second = 0; second < 100; second++) {
      assertThat(waiting.due(T0.plusSeconds(second))).isEmpty();
    }
    List<WaitingFindings.Waiting> due = waiting.due(closes);
    assertThat(due).hasSize(50_000);
    assertThat(due.get(0).key()).isEqualTo(findingFor(0).dedupKey());
    assertThat(due.get(49_999).key()).isEqualTo(findingFor(49_999).dedupKey());
  }
}

package io.chainwatch.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FollowerAuditBufferTest {
  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

  private static JsonObject event(String id) {
    return new JsonObject().put("id", id);
  }

  @Test
  void onTakeOverTheRecordsOfTheLastWindowAreSentMarkedAsReplayedAndOnlyOnce() {
    FollowerAuditBuffer buffer = new FollowerAuditBuffer(Duration.ofSeconds(17), 100, 1L << 20);
    buffer.add(T0, "i1", event("old"));              // the leader was alive then: it sent this one
    buffer.add(T0.plusSeconds(30), "i1", event("a")); // the leader died at about T0+25
    buffer.add(T0.plusSeconds(35), "i2", event("b"));

    var gap = buffer.takeOver(T0.plusSeconds(42));

    assertThat(gap).extracting(h -> h.event().getString("id")).containsExactly("a", "b");
    assertThat(gap).allMatch(h -> h.event().getBoolean(FollowerAuditBuffer.REPLAYED));
    assertThat(gap).extracting(FollowerAuditBuffer.Held::key).containsExactly("i1", "i2");
    assertThat(buffer.takeOver(T0.plusSeconds(43))).as("handed over once").isEmpty();
  }

  @Test
  void aStormWhileFollowingStaysBoundedAndCountsWhatItPushedOut() {
    FollowerAuditBuffer buffer = new FollowerAuditBuffer(Duration.ofSeconds(17), 3, 1L << 20);
    for (int i = 0; i < 5; i++) {
      buffer.add(T0.plusMillis(i), "i", event("e" + i));
    }
    assertThat(buffer.size()).isEqualTo(3);
    assertThat(buffer.overflowed()).isEqualTo(2);
    assertThat(buffer.takeOver(T0.plusSeconds(1))).extracting(h -> h.event().getString("id"))
        .containsExactly("e2", "e3", "e4");
    assertThat(buffer.overflowed()).as("the next takeover reports only its own period").isZero();
  }

  @Test
  void aFollowerWhoseLeaderLivesHoldsOnlyTheLastWindow() {
    FollowerAuditBuffer buffer = new FollowerAuditBuffer(Duration.ofSeconds(17), 100, 1L << 20);
    for (int s = 0; s < 600; s++) {
      buffer.add(T0.plusSeconds(s), "i", event("e" + s));
    }
    assertThat(buffer.size()).isEqualTo(18);
  }

  @Test
  void largeRecordsAreBoundedBySizeNotOnlyByCount() {
    FollowerAuditBuffer buffer = new FollowerAuditBuffer(Duration.ofSeconds(17), 100, 10_000);
    for (int i = 0; i < 10; i++) {
      buffer.add(T0.plusMillis(i), "i", event("e" + i).put("summary", "x".repeat(3_000)));
    }
    assertThat(buffer.size()).isEqualTo(3);
    assertThat(buffer.overflowed()).isEqualTo(7);
    assertThat(buffer.takeOver(T0.plusSeconds(1))).extracting(h -> h.event().getString("id"))
        .containsExactly("e7", "e8", "e9");
  }
}

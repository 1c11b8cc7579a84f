package io.chainwatch.watcher.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeadlineQueueTest {
  private static final Instant T = Instant.parse("2026-11-23T04:00:00Z");
  private final DeadlineQueue<String> queue = new DeadlineQueue<>();

  @Test
  void returnsDueKeysInOrderOnceEach() {
    queue.schedule("b", T.plusSeconds(20));
    queue.schedule("a", T.plusSeconds(10));
    queue.schedule("c", T.plusSeconds(30));

    assertThat(queue.next()).isEqualTo(T.plusSeconds(10));
    assertThat(queue.pollDue(T.plusSeconds(20))).containsExactly("a", "b");
    assertThat(queue.pollDue(T.plusSeconds(20))).isEmpty();
    assertThat(queue.next()).isEqualTo(T.plusSeconds(30));
  }

  @Test
  void aNewDeadlineReplacesTheOldOneAndNullCancels() {
    queue.schedule("a", T.plusSeconds(10));
    queue.schedule("a", T.plusSeconds(50));
    queue.schedule("b", T.plusSeconds(5));
    queue.schedule("b", null);

    assertThat(queue.pollDue(T.plusSeconds(40))).isEmpty();
    assertThat(queue.next()).isEqualTo(T.plusSeconds(50));
    assertThat(queue.size()).isEqualTo(1);
    assertThat(queue.pollDue(T.plusSeconds(50))).containsExactly("a");
    assertThat(queue.next()).isNull();
  }
}

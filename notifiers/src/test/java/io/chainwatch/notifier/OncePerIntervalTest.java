package io.chainwatch.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OncePerIntervalTest {
  private static final long MINUTE = Duration.ofMinutes(1).toNanos();

  @Test
  void theFirstIsSaidThenTheRepeatsAreCountedUntilTheIntervalHasPassed() {
    OncePerInterval once = new OncePerInterval(Duration.ofMinutes(1));
    long t0 = -5 * MINUTE; // nanoTime may be negative

    assertThat(once.occurred(t0)).isEqualTo(1);
    assertThat(once.occurred(t0 + 1)).isZero();
    assertThat(once.occurred(t0 + MINUTE / 2)).isZero();
    assertThat(once.occurred(t0 + MINUTE - 1)).isZero();
    // the fourth after the first: it and the three quiet ones
    assertThat(once.occurred(t0 + MINUTE)).isEqualTo(4);
    assertThat(once.occurred(t0 + MINUTE + 1)).isZero();
    // a long quiet spell: said at once, counting only itself and the one before
    assertThat(once.occurred(t0 + 10 * MINUTE)).isEqualTo(2);
  }

  @Test
  void anIntervalThatIsNotPositiveIsRefusedWithItsValue() {
    assertThatThrownBy(() -> new OncePerInterval(Duration.ZERO)).hasMessageContaining("PT0S");
    assertThatThrownBy(() -> new OncePerInterval(Duration.ofSeconds(-1))).hasMessageContaining("PT-1S");
  }
}

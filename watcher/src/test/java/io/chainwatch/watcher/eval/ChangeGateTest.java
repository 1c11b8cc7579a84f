package io.chainwatch.watcher.eval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChangeGateTest {
  @Test
  void dropsAndCountsBeyondCapacityAndAsksForOneSweep() {
    ChangeGate gate = new ChangeGate(2);

    boolean first = gate.tryAcquire();
    boolean second = gate.tryAcquire();
    boolean third = gate.tryAcquire();

    assertThat(first).isTrue();
    assertThat(second).isTrue();
    assertThat(third).isFalse();
    assertThat(gate.dropped()).isEqualTo(1);
    assertThat(gate.inFlight()).isEqualTo(2);
    assertThat(gate.takeSweepRequest()).isTrue();
    assertThat(gate.takeSweepRequest()).isFalse();

    gate.release();
    assertThat(gate.tryAcquire()).isTrue();
  }
}

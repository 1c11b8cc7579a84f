package io.chainwatch.watcher.informer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.WatchEvent;
import org.junit.jupiter.api.Test;

class DecodedFramesTest {
  private final DecodedFrames frames = new DecodedFrames();

  @Test
  void eachTokenNamesItsOwnEventOnce() {
    WatchEvent first = new WatchEvent(null, "ADDED");
    WatchEvent second = new WatchEvent(null, "DELETED");
    String a = frames.handOver(first);
    String b = frames.handOver(second);

    assertThat(DecodedFrames.isToken(a)).isTrue();
    assertThat(DecodedFrames.isToken("{\"type\":\"ADDED\"}")).isFalse();
    assertThat(frames.take(b)).isSameAs(second);
    assertThat(frames.take(a)).isSameAs(first);
    assertThat(frames.waiting()).isZero();
    assertThatThrownBy(() -> frames.take(a)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void eventsAClosedWatchLeftBehindAreForgottenBeyondTheWindowAndNothingElse() {
    String leftBehind = frames.handOver(new WatchEvent(null, "ADDED")); // its watch closed: never asked for
    for (int i = 0; i < DecodedFrames.WINDOW + 10; i++) {
      WatchEvent event = new WatchEvent(null, "MODIFIED");
      assertThat(frames.take(frames.handOver(event))).isSameAs(event);
    }
    String recent = frames.handOver(new WatchEvent(null, "ADDED"));

    assertThat(frames.waiting()).isEqualTo(2); // nothing is evicted while the map holds at most WINDOW
    for (int i = 0; i < DecodedFrames.WINDOW; i++) {
      frames.handOver(new WatchEvent(null, "ADDED"));
    }

    assertThatThrownBy(() -> frames.take(leftBehind)).isInstanceOf(IllegalStateException.class);
    assertThat(frames.forgotten()).isEqualTo(1);
    assertThat(frames.take(recent)).isNotNull();
  }
}

package io.chainwatch.notifier;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * The audit records a follower saw and did not send (the leader does). When the leader dies, it stops sending at once,
 * but a follower takes over only when the lease has run out: records of that gap were sent by nobody. A follower
 * keeps the records of the last {@code window} (lease duration plus retry period: the longest a dead leader can go
 * unnoticed) and sends them on taking over, marked {@code chainwatchreplayed}; a record the old leader did send
 * arrives twice, under two ids (at least once, never lost). Bounded by age, count and size (records are kept encoded).
 */
final class FollowerAuditBuffer {
  /** The CloudEvents extension attribute that marks a record sent by a new leader for the failover gap. */
  static final String REPLAYED = "chainwatchreplayed";

  /**
   * One record the follower would have sent.
   *
   * @param at when it was decided
   * @param key the Kafka key (incident id)
   * @param event the CloudEvent
   */
  record Held(Instant at, String key, JsonObject event) {}

  /** What is kept: the encoded event (a fraction of its tree's heap). */
  private record Kept(Instant at, String key, String event) {}

  private final Duration window;
  private final int maxRecords;
  private final long maxChars;
  private final Deque<Kept> held = new ArrayDeque<>();
  private long chars;
  private long overflowed;

  FollowerAuditBuffer(Duration window, int maxRecords, long maxChars) {
    this.window = Objects.requireNonNull(window, "window");
    this.maxRecords = maxRecords;
    this.maxChars = maxChars;
  }

  void add(Instant at, String key, JsonObject event) {
    forgetOlderThan(at.minus(window));
    String encoded = io.chainwatch.notifier.kafka.JsonText.encode(event);
    held.addLast(new Kept(at, key, encoded));
    chars += encoded.length();
    while (held.size() > maxRecords || (chars > maxChars && held.size() > 1)) {
      chars -= held.removeFirst().event().length();
      overflowed++;
    }
  }

  /** The records of the gap, oldest first, marked as replayed; the buffer is empty afterwards. */
  List<Held> takeOver(Instant now) {
    forgetOlderThan(now.minus(window));
    List<Held> gap = new ArrayList<>(held.size());
    for (Kept record : held) {
      gap.add(new Held(record.at(), record.key(), new JsonObject(record.event()).put(REPLAYED, true)));
    }
    held.clear();
    chars = 0;
    overflowed = 0; // counted per follower period, so a later takeover reports only its own
    return gap;
  }

  /**
   * Records pushed out by the bounds before the window passed since the last takeover: a storm in the gap larger
   * than the buffer.
   */
  long overflowed() {
    return overflowed;
  }

  int size() {
    return held.size();
  }

  private void forgetOlderThan(Instant cutoff) {
    while (!held.isEmpty() && held.peekFirst().at().isBefore(cutoff)) {
      chars -= held.removeFirst().event().length();
    }
  }
}

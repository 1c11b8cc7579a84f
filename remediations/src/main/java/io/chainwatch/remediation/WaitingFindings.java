package io.chainwatch.remediation;

import io.chainwatch.model.Finding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * The findings the remediation gate will decide again, one per dedup key, each with when. {@link #due} hands out
 * those due without walking the others: a breaker left open by a storm keeps tens of thousands waiting here until it
 * closes, and the gate's 1-second tick on the event loop walked all of them. Deadlines are queued as they are set; one
 * whose finding was removed, replaced or rescheduled since is stale and skipped when it comes out. Not thread-safe:
 * the gate's event loop owns it.
 */
final class WaitingFindings {
  /** A waiting finding. */
  static final class Waiting {
    private final Finding finding;
    /** When a finding first waited under this key: findings due at the same time are decided oldest first. */
    private final long order;
    private Instant nextAt;

    private Waiting(Finding finding, long order) {
      this.finding = finding;
      this.order = order;
    }

    Finding finding() {
      return finding;
    }

    String key() {
      return finding.dedupKey();
    }

    /** When it is due. */
    Instant nextAt() {
      return nextAt;
    }
  }

  /** A deadline as queued: in time order, then in the order the findings started waiting. */
  private record Due(Instant at, long order, Waiting waiting) implements Comparable<Due> {
    @Override
    public int compareTo(Due other) {
      int byTime = at.compareTo(other.at);
      return byTime != 0 ? byTime : Long.compare(order, other.order);
    }
  }

  private final Map<String, Waiting> byKey = new LinkedHashMap<>();
  private final PriorityQueue<Due> deadlines = new PriorityQueue<>();
  private long nextOrder;

  /**
   * Puts {@code finding} to wait until {@code at}; a newer finding under the same key replaces the older one and keeps
   * its place in the order.
   */
  Waiting put(Finding finding, Instant at) {
    Waiting earlier = byKey.get(finding.dedupKey());
    Waiting waiting = new Waiting(finding, earlier != null ? earlier.order : nextOrder++);
    byKey.put(finding.dedupKey(), waiting);
    schedule(waiting, at);
    return waiting;
  }

  /** The finding waiting under {@code key}, or {@code null}. */
  Waiting get(String key) {
    return byKey.get(key);
  }

  void remove(String key) {
    byKey.remove(key);
  }

  /** Makes {@code waiting} due at {@code at} (earlier or later than before). */
  void schedule(Waiting waiting, Instant at) {
    waiting.nextAt = Objects.requireNonNull(at, "at");
    deadlines.add(new Due(at, waiting.order, waiting));
    if (deadlines.size() > 2 * byKey.size() + 1_024) {
      // findings rescheduled before their deadlines came (a finding seen again and again) left stale ones behind
      deadlines.removeIf(due -> !isCurrent(due));
    }
  }

  /**
   * Every finding due at {@code now}, each once, by deadline and then oldest first. Taken out before any is decided:
   * a decision can make a finding due again at once, and that waits for the next call.
   */
  List<Waiting> due(Instant now) {
    List<Waiting> due = new ArrayList<>();
    while (!deadlines.isEmpty() && !deadlines.peek().at().isAfter(now)) {
      Due next = deadlines.poll();
      if (isCurrent(next)) {
        due.add(next.waiting());
      }
    }
    return due;
  }

  /** Whether {@code waiting} still waits (not removed or replaced) and is due at {@code now}. */
  boolean stillDue(Waiting waiting, Instant now) {
    return byKey.get(waiting.key()) == waiting && !waiting.nextAt.isAfter(now);
  }

  /** The keys of every waiting finding, oldest first: a copy, so deciding them can change what waits. */
  List<String> keys() {
    return new ArrayList<>(byKey.keySet());
  }

  int size() {
    return byKey.size();
  }

  /** Deadlines queued, stale ones included (tests check they stay bounded). */
  int queued() {
    return deadlines.size();
  }

  private boolean isCurrent(Due due) {
    return byKey.get(due.waiting().key()) == due.waiting() && due.waiting().nextAt.equals(due.at());
  }
}

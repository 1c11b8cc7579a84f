package io.chainwatch.watcher.eval;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/** At most one pending deadline per key; the earliest comes first. Not thread-safe: owned by one verticle. */
final class DeadlineQueue<K> {
  private record Deadline<K>(Instant at, K key) {}

  private final PriorityQueue<Deadline<K>> queue = new PriorityQueue<>((a, b) -> a.at().compareTo(b.at()));
  private final Map<K, Instant> pending = new HashMap<>();

  /** Sets (or replaces) the deadline of {@code key}; {@code null} cancels it. */
  void schedule(K key, Instant at) {
    if (at == null) {
      pending.remove(key);
      return;
    }
    Instant current = pending.get(key);
    if (at.equals(current)) {
      return;
    }
    pending.put(key, at);
    queue.add(new Deadline<>(at, key)); // superseded entries are skipped when polled
  }

  /** Removes and returns every key whose deadline is at or before {@code now}. */
  List<K> pollDue(Instant now) {
    List<K> due = new ArrayList<>();
    while (!queue.isEmpty() && !queue.peek().at().isAfter(now)) {
      Deadline<K> head = queue.poll();
      if (head.at().equals(pending.get(head.key()))) {
        pending.remove(head.key());
        due.add(head.key());
      }
    }
    return due;
  }

  /** The earliest live deadline, or {@code null}. */
  Instant next() {
    while (!queue.isEmpty() && !queue.peek().at().equals(pending.get(queue.peek().key()))) {
      queue.poll();
    }
    return queue.isEmpty() ? null : queue.peek().at();
  }

  int size() {
    return pending.size();
  }
}

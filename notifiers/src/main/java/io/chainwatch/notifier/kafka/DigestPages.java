package io.chainwatch.notifier.kafka;

import io.chainwatch.model.IncidentChange;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Paces a storm's digest on the pages topic: at most one page record per storm per interval, each with the storm's
 * newest content, and the last one always. A storm folds many incidents into one message so that a person gets one
 * page instead of one each; every fold rewrites that message, and sending each rewrite to the pages topic gave its
 * consumers one page per folded incident again (each repeating the digest's up to 50 lines). The audit topic still
 * gets every rewrite. The first digest of a storm pages at once; later ones within the interval wait, the newest
 * replacing the one waiting, until the interval since the last page has passed. No clock or I/O of its own: the caller
 * says what time it is, sends what is handed back, and asks again at {@link #nextDue}. Not thread-safe: the notifier's
 * thread owns it.
 */
public final class DigestPages {
  /** How often a storm's digest reaches the pages topic at most. */
  public static final Duration INTERVAL = Duration.ofSeconds(5);

  private static final class Storm {
    Instant lastPaged;
    IncidentChange waiting;
  }

  private final Duration interval;
  /** By incident id, oldest storm first. */
  private final Map<String, Storm> storms = new LinkedHashMap<>();

  public DigestPages(Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, was " + interval);
    }
    this.interval = interval;
  }

  /**
   * A digest that pages: handed back to be sent now, or empty when it waits (replacing an older one waiting for the
   * same storm).
   */
  public Optional<IncidentChange> offer(IncidentChange digest, Instant now) {
    if (digest.kind() != IncidentChange.Kind.DIGEST) {
      throw new IllegalArgumentException("only digests are paced, got " + digest.kind().wireName());
    }
    forgetQuiet(now);
    Storm storm = storms.computeIfAbsent(digest.incident().id(), id -> new Storm());
    if (storm.waiting == null && (storm.lastPaged == null || !now.isBefore(storm.lastPaged.plus(interval)))) {
      storm.lastPaged = now;
      return Optional.of(digest);
    }
    storm.waiting = digest;
    return Optional.empty();
  }

  /** The waiting digests whose interval has passed, oldest storm first; each counts as paged now. */
  public List<IncidentChange> due(Instant now) {
    List<IncidentChange> due = new ArrayList<>();
    for (Storm storm : storms.values()) {
      if (storm.waiting != null && !now.isBefore(storm.lastPaged.plus(interval))) {
        due.add(storm.waiting);
        storm.waiting = null;
        storm.lastPaged = now;
      }
    }
    forgetQuiet(now);
    return due;
  }

  /**
   * The digest waiting for {@code incidentId}, taken out: sent before any other page of that incident, so the pages
   * topic keeps one incident's records in order.
   */
  public Optional<IncidentChange> release(String incidentId, Instant now) {
    Storm storm = storms.get(incidentId);
    if (storm == null || storm.waiting == null) {
      return Optional.empty();
    }
    IncidentChange waiting = storm.waiting;
    storm.waiting = null;
    storm.lastPaged = now;
    return Optional.of(waiting);
  }

  /** Every waiting digest, taken out (on stopping: nothing owed is left behind). */
  public List<IncidentChange> releaseAll() {
    List<IncidentChange> all = new ArrayList<>();
    storms.values().forEach(storm -> {
      if (storm.waiting != null) {
        all.add(storm.waiting);
        storm.waiting = null;
      }
    });
    return all;
  }

  /** When the next waiting digest is due, empty when none waits. */
  public Optional<Instant> nextDue() {
    Instant next = null;
    for (Storm storm : storms.values()) {
      if (storm.waiting != null) {
        Instant due = storm.lastPaged.plus(interval);
        next = next == null || due.isBefore(next) ? due : next;
      }
    }
    return Optional.ofNullable(next);
  }

  /** Storms tracked (waiting, or paged within the interval). */
  int tracked() {
    return storms.size();
  }

  /** A storm with nothing waiting and no page within the interval needs no memory: its next digest pages at once. */
  private void forgetQuiet(Instant now) {
    for (Iterator<Storm> it = storms.values().iterator(); it.hasNext(); ) {
      Storm storm = it.next();
      if (storm.waiting == null && !now.isBefore(storm.lastPaged.plus(interval))) {
        it.remove();
      }
    }
  }
}

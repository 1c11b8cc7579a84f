package io.chainwatch.watcher.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Marker;

/**
 * Folds repeats of one warning from a client library that logs every reconnect attempt (fabric8, Vert.x, Netty,
 * the Kafka client): the first passes with its stack trace, the repeats within {@code window} are dropped and
 * counted, and one line says how many there were. With the API server unreachable for 40 s fabric8 logged 1,354
 * lines of stack traces; folded, each distinct warning shows once a minute with a count.
 *
 * <p>"Repeats" are events of the same logger, level and message template (the arguments, such as an attempt
 * number or a backoff, differ between them). After {@link #shuttingDown()} ERRORs from these libraries are
 * folded as well: an event loop that refuses work while the process stops is not an error anyone can act on.
 */
final class RepeatedWarningFilter extends TurboFilter {
  private final List<String> prefixes;
  private final long windowMillis;
  private final Clock clock;
  private final org.slf4j.Logger report;
  private final Map<String, Fold> folds = new ConcurrentHashMap<>();
  private volatile boolean shuttingDown;
  private volatile long nextExpiryCheck;

  RepeatedWarningFilter(List<String> prefixes, Duration window, Clock clock, org.slf4j.Logger report) {
    this.prefixes = List.copyOf(prefixes);
    this.windowMillis = window.toMillis();
    this.clock = clock;
    this.report = report;
  }

  void shuttingDown() {
    shuttingDown = true;
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level == null || format == null || !level.isGreaterOrEqual(Level.WARN) || !folded(logger.getName())) {
      reportExpired();
      return FilterReply.NEUTRAL;
    }
    if (level == Level.ERROR && !shuttingDown) {
      return FilterReply.NEUTRAL; // errors always show, except while stopping
    }
    long now = clock.millis();
    String key = logger.getName() + '\u0000' + level + '\u0000' + format;
    Fold fold = folds.computeIfAbsent(key, k -> new Fold(logger.getName(), level, format));
    long suppressed;
    synchronized (fold) {
      if (level == Level.ERROR) {
        fold.suppressed++; // counted; said once at the end, at info
        return FilterReply.DENY;
      }
      if (fold.windowEnds > now) {
        fold.suppressed++;
        return FilterReply.DENY;
      }
      suppressed = fold.suppressed;
      fold.suppressed = 0;
      fold.windowEnds = now + windowMillis;
    }
    if (suppressed > 0) {
      say(fold, suppressed);
    }
    return FilterReply.NEUTRAL;
  }

  /** Reports every fold with a count, whether or not its window has ended (at shutdown). */
  void flush() {
    folds.values().forEach(this::sayCounted);
  }

  /** Reports folds whose window ended with repeats no later event of their own has reported yet. */
  private void reportExpired() {
    if (folds.isEmpty()) {
      return;
    }
    long now = clock.millis();
    // consulted on every log call, enabled or not: look at most once a second
    if (now < nextExpiryCheck) {
      return;
    }
    nextExpiryCheck = now + 1000;
    List<Fold> due = new ArrayList<>();
    for (Fold fold : folds.values()) {
      synchronized (fold) {
        if (fold.suppressed > 0 && fold.windowEnds <= now) {
          due.add(fold);
        }
      }
    }
    due.forEach(this::sayCounted);
  }

  /** Says how many repeats of {@code fold} were dropped since it last said so, if any. */
  private void sayCounted(Fold fold) {
    long suppressed;
    synchronized (fold) {
      suppressed = fold.suppressed;
      fold.suppressed = 0;
    }
    if (suppressed > 0) {
      say(fold, suppressed);
    }
  }

  private void say(Fold fold, long suppressed) {
    if (fold.level == Level.ERROR) {
      // only folded while stopping
      report.info("{} errors from {} while stopping (folded): {}", suppressed, fold.logger, fold.format);
    } else {
      report.warn("{} more like this from {} in the last {} s (folded): {}", suppressed, fold.logger,
          windowMillis / 1000, fold.format);
    }
  }

  private boolean folded(String name) {
    for (String prefix : prefixes) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static final class Fold {
    final String logger;
    final Level level;
    final String format;
    long windowEnds;
    long suppressed;

    Fold(String logger, Level level, String format) {
      this.logger = logger;
      this.level = level;
      this.format = format;
    }
  }
}

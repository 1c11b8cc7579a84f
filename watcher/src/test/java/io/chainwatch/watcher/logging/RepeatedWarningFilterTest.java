package io.chainwatch.watcher.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepeatedWarningFilterTest {
  /** A clock the test moves. */
  private static final class Manual extends Clock {
    Instant now = Instant.parse("2026-12-01T00:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final Manual clock = new Manual();

  /** A logger context whose loggers under {@code prefix} are folded over 60 s of {@link #clock}. */
  private LoggerContext folding(String prefix) {
    LoggerContext context = new LoggerContext();
    RepeatedWarningFilter filter = new RepeatedWarningFilter(List.of(prefix), Duration.ofSeconds(60), clock,
        context.getLogger("io.chainwatch.logging"));
    filter.start();
    context.addTurboFilter(filter);
    return context;
  }

  /** Every event that reaches the appenders. */
  private static ListAppender<ILoggingEvent> seen(LoggerContext context) {
    ListAppender<ILoggingEvent> seen = new ListAppender<>();
    seen.setContext(context);
    seen.start();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(seen);
    return seen;
  }

  @Test
  void afterTheWindowTheCountIsSaidAndTheNextOnePassesAgain() {
    LoggerContext context = folding("io.vertx");
    ListAppender<ILoggingEvent> seen = seen(context);
    var vertx = context.getLogger("io.vertx.core.net.impl.ConnectionBase");

    for (int i = 0; i < 10; i++) {
      vertx.warn("Connection reset ({})", i);
      clock.now = clock.now.plusSeconds(5); // 10 within 50 s
    }
    vertx.info("info is never folded");
    vertx.info("info is never folded");
    clock.now = clock.now.plusSeconds(11); // the window has ended
    vertx.warn("Connection reset ({})", 99);

    assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
        "Connection reset (0)",
        "info is never folded",
        "info is never folded",
        "9 more like this from io.vertx.core.net.impl.ConnectionBase in the last 60 s (folded): Connection reset ({})",
        "Connection reset (99)");
    assertThat(seen.list.get(3).getLevel()).isEqualTo(Level.WARN);
  }

  @Test
  void aFoldWhoseRepeatsStoppedIsReportedByTheNextLogCallOfAnyLogger() {
    LoggerContext context = folding("io.fabric8");
    ListAppender<ILoggingEvent> seen = seen(context);

    context.getLogger("io.fabric8.Watch").warn("Watch failed");
    context.getLogger("io.fabric8.Watch").warn("Watch failed");
    clock.now = clock.now.plusSeconds(61);
    context.getLogger("io.chainwatch.Other").info("anything");

    assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("Watch failed",
        "1 more like this from io.fabric8.Watch in the last 60 s (folded): Watch failed", "anything");
  }
}

package io.chainwatch.watcher.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import co.elastic.logging.logback.EcsEncoder;
import io.chainwatch.config.ChainwatchConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Configures logback for {@code run}, {@code scan} and the demo: to stderr (stdout carries findings), plain lines or
 * ECS JSON lines, the chatty client libraries at warn, and repeated reconnect failures folded into one line with a
 * count. Configured in code rather than by a logback.xml so that the format follows chainwatch's own configuration.
 */
public final class Logging {
  /** Libraries that log every reconnect attempt: their repeated warnings are folded. */
  static final List<String> RECONNECTING = List.of("io.fabric8", "io.vertx", "io.netty", "org.apache.kafka",
      "okhttp3", "com.slack.api", "org.glassfish.tyrus");
  /** Client libraries that log their whole configuration at info: kept at warn (or what the caller asks). */
  static final List<String> CLIENT_LIBRARIES = List.of("org.apache.kafka", "kafka", "state.change.logger",
      "org.apache.zookeeper");
  /** How long repeats of one warning are folded before the count is logged and the next one passes again. */
  static final Duration FOLD_WINDOW = Duration.ofSeconds(60);

  private static volatile RepeatedWarningFilter folding;

  private Logging() {}

  /** The formats of {@code logging.format}. */
  public enum Format { PLAIN, JSON }

  /**
   * Replaces whatever logback configured by itself.
   *
   * @param level chainwatch's level (trace to error)
   * @param format plain lines or ECS JSON
   * @param quietLibraries the client libraries' level (warn in {@code run}; error in the demo, whose reader takes
   *     a Kafka client's "disconnected" for a failure)
   */
  public static void configure(String level, Format format, String quietLibraries) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level.toUpperCase(Locale.ROOT), Level.INFO));
    root.addAppender(stderr(context, encoder(context, format)));
    for (String name : RECONNECTING) {
      context.getLogger(name).setLevel(moreSevere(Level.WARN, root.getLevel()));
    }
    // the in-process broker (demo, tests) and the Kafka client log their whole configuration at info, and
    // "disconnected" warnings a reader of the demo takes for failures
    Level libraries = Level.toLevel(quietLibraries.toUpperCase(Locale.ROOT), Level.WARN);
    for (String name : CLIENT_LIBRARIES) {
      context.getLogger(name).setLevel(moreSevere(libraries, root.getLevel()));
    }
    RepeatedWarningFilter filter = new RepeatedWarningFilter(RECONNECTING, FOLD_WINDOW, Clock.systemUTC(),
        LoggerFactory.getLogger("io.chainwatch.logging"));
    filter.setContext(context);
    filter.start();
    context.addTurboFilter(filter);
    folding = filter;
  }

  /** {@code plain} or {@code json}, as {@code logging.format} spells them. */
  public static Format format(String setting) {
    return setting.equals("json") ? Format.JSON : Format.PLAIN;
  }

  /**
   * Logs the effective configuration one setting per line (a line-based collector keeps each whole), each with
   * the setting, its value and its source also as fields in JSON.
   */
  public static void logConfiguration(Logger log, ChainwatchConfig settings) {
    log.info("effective configuration: {} settings follow, one per line", settings.effective().size());
    for (ChainwatchConfig.EffectiveSetting setting : settings.effective()) {
      try (MDC.MDCCloseable a = MDC.putCloseable("chainwatch.setting", setting.path());
          MDC.MDCCloseable b = MDC.putCloseable("chainwatch.value", setting.displayValue());
          MDC.MDCCloseable c = MDC.putCloseable("chainwatch.source", setting.source())) {
        log.info("configuration {} = {} ({})", setting.path(), setting.displayValue(), setting.source());
      }
    }
  }

  /**
   * From now on errors that only say the process is going down (an event loop refusing work, a connection closed
   * under a request) are folded too: a normal shutdown logs no ERROR.
   */
  public static void shuttingDown() {
    RepeatedWarningFilter filter = folding;
    if (filter != null) {
      filter.shuttingDown();
    }
  }

  /** Logs the counts of what was folded and not yet reported (at shutdown). */
  public static void flush() {
    RepeatedWarningFilter filter = folding;
    if (filter != null) {
      filter.flush();
    }
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext context, Format format) {
    if (format == Format.JSON) {
      EcsEncoder ecs = new EcsEncoder();
      ecs.setContext(context);
      ecs.setServiceName("chainwatch");
      ecs.setServiceVersion(BuildInfo.current().version());
      ecs.setEventDataset("chainwatch");
      ecs.setStackTraceAsArray(false);
      ecs.start();
      return ecs;
    }
    return plainEncoder(context);
  }

  /** One line per event: time, thread, level, logger, message. */
  static Encoder<ILoggingEvent> plainEncoder(LoggerContext context) {
    PatternLayoutEncoder pattern = new PatternLayoutEncoder();
    pattern.setContext(context);
    pattern.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} [%thread] %-5level %logger - %msg%n");
    pattern.start();
    return pattern;
  }

  /** The appender every configuration writes to: stderr (stdout carries findings). */
  static ConsoleAppender<ILoggingEvent> stderr(LoggerContext context, Encoder<ILoggingEvent> encoder) {
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("stderr");
    appender.setTarget("System.err");
    appender.setEncoder(encoder);
    appender.start();
    return appender;
  }

  private static Level moreSevere(Level a, Level b) {
    return a.isGreaterOrEqual(b) ? a : b;
  }
}

package io.chainwatch.watcher.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logging until chainwatch configures it from its settings ({@link Logging#configure}): info on stderr, the Kafka
 * libraries at warn. Found by logback through {@code META-INF/services} before it looks for {@code logback.xml}, so
 * a command does not pay for logback's XML configurator and the JDK's XML parser at every start (about 0.1 s of a
 * {@code scan}, measured with {@code -Xlog:class+load:uptime}); {@code logback.xml} says the same for a jar that lost
 * the service file. Steps aside where a test configures logging ({@code logback-test.xml}) or a person does
 * ({@code -Dlogback.configurationFile}).
 */
public final class StartupLogging extends ContextAwareBase implements Configurator {
  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null
        || StartupLogging.class.getClassLoader().getResource("logback-test.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(Logging.stderr(context, Logging.plainEncoder(context)));
    for (String name : Logging.CLIENT_LIBRARIES) {
      context.getLogger(name).setLevel(Level.WARN);
    }
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}

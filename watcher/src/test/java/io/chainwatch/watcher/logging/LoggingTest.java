package io.chainwatch.watcher.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import io.chainwatch.config.ChainwatchConfig;
import io.chainwatch.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

class LoggingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final PrintStream stderr = System.err;

  @AfterEach
  void restore() throws Exception {
    System.setErr(stderr);
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    new ContextInitializer(context).autoConfig();
  }

  private List<String> capture(Logging.Format format, Runnable logging) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    Logging.configure("info", format, "warn");
    logging.run();
    System.setErr(stderr);
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void jsonFormatWritesOneEcsObjectPerLineAndTheConfigurationOneSettingPerLine() {
    ChainwatchConfig config = ConfigLoader.load(null, Map.of("CHAINWATCH_CLUSTER_NAME", "prod-eu-1",
        "CHAINWATCH_LOGGING_FORMAT", "json"));
    Logger log = LoggerFactory.getLogger("io.chainwatch.watcher.Main");
    List<String> lines = capture(Logging.Format.JSON, () -> {
      Logging.logConfiguration(log, config);
      log.warn("multi\nline \"quoted\" <!channel>", new IllegalStateException("boom"));
    });

    assertThat(lines).hasSize(config.effective().size() + 2);
    for (String line : lines) {
      JsonNode event = JSON.readTree(line);
      assertThat(event.path("@timestamp").asString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
      assertThat(event.path("log.level").asString()).isIn("INFO", "WARN");
      assertThat(event.path("log.logger").asString()).isEqualTo("io.chainwatch.watcher.Main");
      assertThat(event.path("service.name").asString()).isEqualTo("chainwatch");
      assertThat(event.path("ecs.version").isMissingNode()).isFalse();
    }
    JsonNode cluster = lines.stream().map(JSON::readTree)
        .filter(e -> e.path("chainwatch.setting").asString("").equals("clusterName")).findFirst().orElseThrow();
    assertThat(cluster.path("chainwatch.value").asString()).isEqualTo("prod-eu-1");
    assertThat(cluster.path("chainwatch.source").asString()).isEqualTo("env CHAINWATCH_CLUSTER_NAME");
    assertThat(cluster.path("message").asString()).isEqualTo("configuration clusterName = prod-eu-1 "
        + "(env CHAINWATCH_CLUSTER_NAME)");
    JsonNode warning = JSON.readTree(lines.get(lines.size() - 1));
    assertThat(warning.path("message").asString()).isEqualTo("multi\nline \"quoted\" <!channel>");
    assertThat(warning.path("error.type").asString()).isEqualTo("java.lang.IllegalStateException");
    assertThat(warning.path("error.stack_trace").asString()).contains("LoggingTest");
  }

  @Test
  void plainFormatLogsTheConfigurationOneSettingPerLine() {
    ChainwatchConfig config = ConfigLoader.load(null, Map.of());
    List<String> lines = capture(Logging.Format.PLAIN,
        () -> Logging.logConfiguration(LoggerFactory.getLogger("io.chainwatch.watcher.Main"), config));

    assertThat(lines).hasSize(config.effective().size() + 1);
    assertThat(lines.get(1)).matches("\\d{4}-\\d\\d-\\d\\dT\\S+ \\[.*] INFO  io.chainwatch.watcher.Main - "
        + "configuration clusterName = default \\(default\\)");
  }

  @Test
  void kafkaClientInfoIsQuietAndChainwatchInfoShows() {
    List<String> lines = capture(Logging.Format.PLAIN, () -> {
      LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient").info("ProducerConfig values: ...");
      LoggerFactory.getLogger("io.chainwatch.x").info("shown");
    });

    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).endsWith("io.chainwatch.x - shown");
  }

  @Test
  void repeatedReconnectWarningsShowOnceWithTheirStackTrace() {
    Logger fabric8 = LoggerFactory.getLogger("io.fabric8.kubernetes.client.informers.impl.cache.Reflector");
    List<String> lines = capture(Logging.Format.PLAIN, () -> {
      for (int attempt = 0; attempt < 500; attempt++) {
        fabric8.warn("listSyncAndWatch failed for {}, will retry", "v1/pods",
            new java.net.ConnectException("Connection refused " + attempt));
      }
      LoggerFactory.getLogger("io.chainwatch.x").warn("chainwatch's own warnings are never folded");
      LoggerFactory.getLogger("io.chainwatch.x").warn("chainwatch's own warnings are never folded");
      Logging.flush();
    });

    assertThat(lines.stream().filter(l -> l.contains("listSyncAndWatch failed for v1/pods"))).hasSize(1);
    assertThat(lines.stream().filter(l -> l.contains("ConnectException: Connection refused 0"))).hasSize(1);
    assertThat(lines.stream().filter(l -> l.contains("Connection refused 1"))).isEmpty();
    assertThat(lines.stream().filter(l -> l.contains("never folded"))).hasSize(2);
    assertThat(lines).anySatisfy(l -> assertThat(l).contains("io.chainwatch.logging - 499 more like this from "
        + "io.fabric8.kubernetes.client.informers.impl.cache.Reflector in the last 60 s (folded): "
        + "listSyncAndWatch failed for {}, will retry"));
    assertThat(lines).filteredOn(l -> l.startsWith("Caused by") || l.contains("Exception:")).hasSize(1);
  }

  @Test
  void libraryErrorsShowUntilTheProcessStopsAndAreCountedAfter() {
    Logger netty = LoggerFactory.getLogger("io.netty.util.concurrent.DefaultPromise");
    List<String> lines = capture(Logging.Format.PLAIN, () -> {
      netty.error("An exception was thrown by {}", "listener", new IllegalStateException("before"));
      Logging.shuttingDown();
      netty.error("An exception was thrown by {}", "listener",
          new java.util.concurrent.RejectedExecutionException("event executor terminated"));
      netty.error("An exception was thrown by {}", "listener",
          new java.util.concurrent.RejectedExecutionException("event executor terminated"));
      Logging.flush();
    });

    assertThat(lines).filteredOn(l -> l.contains(" ERROR ")).hasSize(1).first().asString().doesNotContain("stop");
    assertThat(lines).noneSatisfy(l -> assertThat(l).contains("RejectedExecutionException"));
    assertThat(lines).anySatisfy(l -> assertThat(l).contains(" INFO  io.chainwatch.logging - 2 errors from "
        + "io.netty.util.concurrent.DefaultPromise while stopping (folded)"));
  }
}

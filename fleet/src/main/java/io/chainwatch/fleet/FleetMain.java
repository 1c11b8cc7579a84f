package io.chainwatch.fleet;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code chainwatch-fleet [fleet]} ({@code java -jar chainwatch-fleet.jar fleet}): runs the fleet correlator until
 * stopped. Several instances with the same {@code CHAINWATCH_FLEET_APPLICATION_ID} share the partitions; state is in
 * RocksDB with changelog topics. Exit codes as chainwatch's: 0 stopped, 2 bad configuration or a fatal error.
 */
public final class FleetMain {
  private static final Logger LOG = LoggerFactory.getLogger(FleetMain.class);
  /** Environment variables with this prefix are Kafka Streams or client properties: {@code _} is {@code .}. */
  static final String PASSTHROUGH = "CHAINWATCH_FLEET_KAFKA_";

  private FleetMain() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws InterruptedException {
    if (args.length > 1 || (args.length == 1 && !args[0].equals("fleet"))) {
      boolean help = args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"));
      (help ? out : err).println(usage());
      return help ? 0 : 2;
    }
    FleetConfig config;
    Properties properties;
    FleetPagers.Config pagers;
    try {
      config = FleetConfig.fromEnv(env);
      properties = properties(env);
      pagers = FleetPagers.Config.fromEnv(env);
    } catch (IllegalArgumentException e) {
      err.println("chainwatch-fleet: " + e.getMessage());
      return 2;
    }
    FleetPagers people = null;
    if (pagers.any()) {
      try {
        people = new FleetPagers(pagers, java.nio.file.Path.of(properties.getProperty(StreamsConfig.STATE_DIR_CONFIG),
            "pagers"), config.fleetTopic(), properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG) + "-pagers",
            clientProperties(properties), io.chainwatch.notifier.alert.AlertOutbox.Timing.PRODUCTION,
            io.chainwatch.notifier.slack.SlackNotifier.Timing.PRODUCTION);
      } catch (java.io.IOException | RuntimeException e) {
        err.println("chainwatch-fleet: the fleet's notifiers cannot start: " + e.getMessage());
        return 2;
      }
    }
    FleetPagers startedPagers = people;
    int metricsPort;
    try {
      metricsPort = FleetEnv.read(env, "CHAINWATCH_FLEET_METRICS_PORT", "9464",
          io.chainwatch.config.Parsers.integer(0, 65535), "a port (1-65535, 0 for none)");
    } catch (IllegalArgumentException e) {
      err.println("chainwatch-fleet: " + e.getMessage());
      return 2;
    }
    LOG.info("fleet correlator: audit topics /{}/, inventory topics /{}/, incidents to {}, at least {} clusters or "
            + "{} % of a dimension's nodes (at least {}), window {}", config.auditTopics(), config.inventoryTopics(),
        config.fleetTopic(), config.minClusters(), config.minSharePercent(), config.minNodes(), config.window());
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry =
        new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
            io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    KafkaStreams streams = new KafkaStreams(FleetTopology.build(config, metrics(registry)), properties);
    new io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics(streams).bindTo(registry);
    FleetHttp http = null;
    if (metricsPort > 0) {
      try {
        http = new FleetHttp(metricsPort, registry, streams::state);
      } catch (java.io.IOException e) {
        err.println("chainwatch-fleet: CHAINWATCH_FLEET_METRICS_PORT " + metricsPort + " cannot be opened: "
            + e.getMessage());
        return 2;
      }
    }
    FleetHttp startedHttp = http;
    CountDownLatch stopped = new CountDownLatch(1);
    int[] status = {0};
    // a thread replaced after an error would meet the same record again, in a loop nobody sees; an exit is seen
    // (the pod restarts, and with exactly-once it resumes from the last commit)
    streams.setUncaughtExceptionHandler(e -> {
      LOG.error("fleet correlator failed; stopping (exit 2)", e);
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
          .SHUTDOWN_CLIENT;
    });
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.ERROR) {
        status[0] = 2;
        stopped.countDown();
      }
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close(java.time.Duration.ofSeconds(30));
      if (startedPagers != null) {
        startedPagers.close();
      }
      if (startedHttp != null) {
        startedHttp.close();
      }
      stopped.countDown();
    }, "chainwatch-fleet-shutdown"));
    streams.start();
    stopped.await();
    return status[0];
  }

  /**
   * The fleet's own metrics: {@code chainwatch_fleet_audit_records_total} (audit records read, of any type) and
   * {@code chainwatch_fleet_incidents_total{change}} (fleet incident changes emitted).
   */
  static FleetTopology.Events metrics(io.micrometer.core.instrument.MeterRegistry registry) {
    io.micrometer.core.instrument.Counter read = io.micrometer.core.instrument.Counter
        .builder("chainwatch.fleet.audit.records").description("audit records read, of any type").register(registry);
    java.util.Map<String, io.micrometer.core.instrument.Counter> changes = new java.util.HashMap<>();
    for (String change : java.util.List.of("opened", "updated", "resolved")) {
      changes.put(change, io.micrometer.core.instrument.Counter.builder("chainwatch.fleet.incidents")
          .description("fleet incident changes emitted").tag("change", change).register(registry));
    }
    return new FleetTopology.Events() {
      @Override
      public void read() {
        read.increment();
      }

      @Override
      public void incident(String change) {
        io.micrometer.core.instrument.Counter counter = changes.get(change);
        if (counter != null) {
          counter.increment();
        }
      }
    };
  }

  /** The Kafka client settings of {@code streams} (bootstrap servers, security), for the pagers' consumer. */
  static Properties clientProperties(Properties streams) {
    Properties client = new Properties();
    streams.forEach((key, value) -> {
      String name = key.toString();
      if (name.equals(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG) || name.startsWith("security.")
          || name.startsWith("sasl.") || name.startsWith("ssl.") || name.equals("client.dns.lookup")) {
        client.put(name, value);
      }
    });
    return client;
  }

  static String usage() {
    return "Usage: chainwatch-fleet [fleet] (java -jar chainwatch-fleet.jar fleet)\n"
        + "Runs the fleet correlator; configured by environment variables:\n"
        + "  CHAINWATCH_FLEET_BOOTSTRAP_SERVERS   Kafka brokers, host:port,... (required)\n"
        + "  CHAINWATCH_FLEET_APPLICATION_ID      instances with one id share the work (chainwatch-fleet)\n"
        + "  CHAINWATCH_FLEET_STATE_DIR           RocksDB state (/var/lib/chainwatch-fleet)\n"
        + "  CHAINWATCH_FLEET_AUDIT_TOPICS        pattern of the clusters' audit topics (chainwatch\\.audit(\\..+)?)\n"
        + "  CHAINWATCH_FLEET_INVENTORY_TOPICS    pattern of their inventory topics (chainwatch\\.inventory(\\..+)?)\n"
        + "  CHAINWATCH_FLEET_TOPIC               fleet incidents (chainwatch.fleet)\n"
        + "  CHAINWATCH_FLEET_MIN_CLUSTERS        clusters showing one cause (2)\n"
        + "  CHAINWATCH_FLEET_MIN_SHARE_PERCENT   or this share of a dimension's nodes (20)\n"
        + "  CHAINWATCH_FLEET_MIN_NODES           and at least this many nodes for the share (3)\n"
        + "  CHAINWATCH_FLEET_WINDOW              how close in time findings must be (PT30M)\n"
        + "  CHAINWATCH_FLEET_SLACK_TOKEN_FILE    Slack bot token file; with _CHANNEL, _ONCALL_GROUP, _API_URL\n"
        + "  CHAINWATCH_FLEET_PAGERDUTY_ROUTING_KEY_FILE   PagerDuty Events v2 key file; _API_URL\n"
        + "  CHAINWATCH_FLEET_OPSGENIE_API_KEY_FILE        Opsgenie key file; _API_URL, _TEAM\n"
        + "  CHAINWATCH_FLEET_METRICS_PORT        /metrics, /healthz, /readyz (9464; 0: none)\n"
        + "  CHAINWATCH_FLEET_KAFKA_*             any Kafka Streams or client property, e.g.\n"
        + "                                       CHAINWATCH_FLEET_KAFKA_SECURITY_PROTOCOL=SASL_SSL\n"
        + "Exit codes: 0 stopped, 2 bad configuration or a fatal error.";
  }

  /**
   * Kafka Streams' settings: exactly-once (v2), the application id every instance shares, its state directory, and
   * every {@code CHAINWATCH_FLEET_KAFKA_*} variable as a property ({@code CHAINWATCH_FLEET_KAFKA_SESSION_TIMEOUT_MS}
   * is {@code session.timeout.ms}); the guarantee cannot be lowered that way.
   */
  static Properties properties(Map<String, String> env) {
    String servers = FleetEnv.read(env, "CHAINWATCH_FLEET_BOOTSTRAP_SERVERS", "",
        io.chainwatch.config.Parsers::hostPorts, "the Kafka brokers (host:port, comma-separated)");
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("CHAINWATCH_FLEET_BOOTSTRAP_SERVERS must name the Kafka brokers "
          + "(host:port, comma-separated), got nothing");
    }
    Properties properties = new Properties();
    env.forEach((name, value) -> {
      if (name.startsWith(PASSTHROUGH) && name.length() > PASSTHROUGH.length()) {
        properties.put(name.substring(PASSTHROUGH.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
      }
    });
    if (properties.containsKey(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)) {
      throw new IllegalArgumentException(PASSTHROUGH + "PROCESSING_GUARANTEE cannot be set: the fleet runs "
          + "exactly_once_v2 (an at-least-once fleet would open incidents twice), got \""
          + properties.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG) + "\"");
    }
    properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    properties.put(StreamsConfig.APPLICATION_ID_CONFIG, env.getOrDefault("CHAINWATCH_FLEET_APPLICATION_ID",
        "chainwatch-fleet"));
    properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    properties.put(StreamsConfig.STATE_DIR_CONFIG, env.getOrDefault("CHAINWATCH_FLEET_STATE_DIR",
        "/var/lib/chainwatch-fleet"));
    return properties;
  }
}

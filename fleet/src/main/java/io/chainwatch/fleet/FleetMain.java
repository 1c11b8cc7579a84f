package io.chainwatch.fleet;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * {@code java -jar chainwatch-fleet.jar}: runs the fleet correlator until stopped. Several instances with the same
 * {@code CHAINWATCH_FLEET_APPLICATION_ID} share the partitions; state is in RocksDB with changelog topics.
 */
public final class FleetMain {
  private FleetMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0) {
      System.out.println("Usage: java -jar chainwatch-fleet.jar (configured by environment variables:"
          + " CHAINWATCH_FLEET_BOOTSTRAP_SERVERS, CHAINWATCH_FLEET_APPLICATION_ID, CHAINWATCH_FLEET_STATE_DIR,"
          + " CHAINWATCH_FLEET_AUDIT_TOPICS, CHAINWATCH_FLEET_TOPIC, CHAINWATCH_FLEET_MIN_CLUSTERS,"
          + " CHAINWATCH_FLEET_WINDOW)");
      System.exit(args[0].equals("--help") ? 0 : 2);
    }
    FleetConfig config;
    Properties properties;
    try {
      config = FleetConfig.fromEnv(System.getenv());
      properties = properties(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("chainwatch-fleet: " + e.getMessage());
      System.exit(2);
      return;
    }
    KafkaStreams streams = new KafkaStreams(FleetTopology.build(config), properties);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close(java.time.Duration.ofSeconds(30));
      stopped.countDown();
    }, "chainwatch-fleet-shutdown"));
    streams.start();
    stopped.await();
  }

  /** Kafka Streams' settings: exactly-once (v2), the application id every instance shares, its state directory. */
  static Properties properties(Map<String, String> env) {
    String servers = env.getOrDefault("CHAINWATCH_FLEET_BOOTSTRAP_SERVERS", "");
    if (servers.isBlank()) {
      throw new IllegalArgumentException("CHAINWATCH_FLEET_BOOTSTRAP_SERVERS must name the Kafka brokers "
          + "(host:port, comma-separated), got nothing");
    }
    Properties properties = new Properties();
    properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    properties.put(StreamsConfig.APPLICATION_ID_CONFIG, env.getOrDefault("CHAINWATCH_FLEET_APPLICATION_ID",
        "chainwatch-fleet"));
    properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    properties.put(StreamsConfig.STATE_DIR_CONFIG, env.getOrDefault("CHAINWATCH_FLEET_STATE_DIR",
        "/var/lib/chainwatch-fleet"));
    return properties;
  }
}

package io.chainwatch.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line: help, exit codes, every configuration problem named before anything starts. */
class FleetMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Map<String, String> env, String... args) throws Exception {
    return FleetMain.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void helpIsZeroAndAnUnknownCommandIsTwo() throws Exception {
    assertThat(run(Map.of(), "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("CHAINWATCH_FLEET_BOOTSTRAP_SERVERS")
        .contains("CHAINWATCH_FLEET_MIN_SHARE_PERCENT").contains("CHAINWATCH_FLEET_SLACK_TOKEN_FILE");
    assertThat(run(Map.of(), "scan")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("Usage: chainwatch-fleet");
  }

  @Test
  void badConfigurationExitsTwoNamingTheVariable() throws Exception {
    assertThat(run(Map.of(), "fleet")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("CHAINWATCH_FLEET_BOOTSTRAP_SERVERS must name");
    err.reset();
    assertThat(run(Map.of("CHAINWATCH_FLEET_BOOTSTRAP_SERVERS", "kafka:9092", "CHAINWATCH_FLEET_MIN_NODES", "x"),
        "fleet")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("CHAINWATCH_FLEET_MIN_NODES must be an integer, got \"x\"");
    err.reset();
    assertThat(run(Map.of("CHAINWATCH_FLEET_BOOTSTRAP_SERVERS", "kafka"), "fleet")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("CHAINWATCH_FLEET_BOOTSTRAP_SERVERS must be the Kafka "
        + "brokers (host:port, comma-separated), got \"kafka\"");
    err.reset();
    assertThat(run(Map.of("CHAINWATCH_FLEET_BOOTSTRAP_SERVERS", "kafka:9092", "CHAINWATCH_FLEET_TOPIC",
        "fleet incidents"), "fleet")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("CHAINWATCH_FLEET_TOPIC must be a Kafka topic name, "
        + "got \"fleet incidents\"");
  }

  @Test
  void kafkaPropertiesPassThroughButTheGuaranteeStaysExactlyOnce() {
    var properties = FleetMain.properties(Map.of("CHAINWATCH_FLEET_BOOTSTRAP_SERVERS", "kafka:9093",
        "CHAINWATCH_FLEET_KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "CHAINWATCH_FLEET_KAFKA_NUM_STREAM_THREADS", "2"));
    assertThat(properties).containsEntry("security.protocol", "SASL_SSL").containsEntry("num.stream.threads", "2")
        .containsEntry("processing.guarantee", "exactly_once_v2");
    assertThat(FleetMain.clientProperties(properties)).containsOnlyKeys("bootstrap.servers", "security.protocol");
    assertThatThrownBy(() -> FleetMain.properties(Map.of("CHAINWATCH_FLEET_BOOTSTRAP_SERVERS", "kafka:9093",
        "CHAINWATCH_FLEET_KAFKA_PROCESSING_GUARANTEE", "at_least_once")))
        .hasMessageContaining("CHAINWATCH_FLEET_KAFKA_PROCESSING_GUARANTEE cannot be set")
        .hasMessageContaining("at_least_once");
  }
}
